"""The draw attempt's states and its allowed moves (DRAW-v1 on the platform).

收集承诺中 → 已公告，待公布秘密值 → 已抽取 (→ 已作废 once an approved redraw supersedes
it, before matching).  Collecting and announced attempts may be given up (已放弃).  Any
attempt after the first starts as a redraw request (重新抽取待批准): the official it names
approves it (it then collects commitments), refuses it, or the lead office withdraws it
(docs/domain/redraw.md).  Every attempt is kept, whatever state it ends in.
"""

from __future__ import annotations

from spotcheck.core.errors import DomainError

REQUESTED = "requested"
REFUSED = "refused"
COMMITTING = "committing"
ANNOUNCED = "announced"
DRAWN = "drawn"
ABANDONED = "abandoned"
SUPERSEDED = "superseded"

STATUS_LABELS: dict[str, str] = {
    REQUESTED: "重新抽取待批准",
    REFUSED: "重新抽取未获批准",
    COMMITTING: "收集承诺中",
    ANNOUNCED: "已公告，待公布秘密值",
    DRAWN: "已抽取",
    ABANDONED: "已放弃",
    SUPERSEDED: "已作废（经批准重新抽取）",
}

TRANSITIONS: dict[str, frozenset[str]] = {
    # a redraw request is approved (and collects commitments), refused, or withdrawn
    REQUESTED: frozenset({COMMITTING, REFUSED, ABANDONED}),
    REFUSED: frozenset(),
    COMMITTING: frozenset({ANNOUNCED, ABANDONED}),
    ANNOUNCED: frozenset({DRAWN, ABANDONED}),
    # an approved redraw before matching supersedes the drawn attempt; it stays verifiable
    DRAWN: frozenset({SUPERSEDED}),
    ABANDONED: frozenset(),
    SUPERSEDED: frozenset(),
}


class IllegalAttemptMove(DomainError):
    """The attempt cannot move from its status to the one asked for."""


def check_move(source: str, target: str) -> None:
    """Refuse, in Chinese, a move of an attempt that the table above does not allow."""
    if target not in TRANSITIONS[source]:
        raise IllegalAttemptMove(
            f"该次抽取处于“{STATUS_LABELS[source]}”，不能变为“{STATUS_LABELS[target]}”"
        )
