"""The joint record's states and the freeze rule (一企一表).

未录入 → 已录入 (an item has been entered) → 待审核 (signed and submitted: frozen)
→ 已退回 (a department returned it: the inspector corrects and resubmits) / 已通过.

A signed record is frozen.  Afterwards an inspector's change is a correction: it must
give a reason, and the version before it is kept.  An approved record is final.

Each department with items on the record reviews it once per review round; the record is
approved when every one of them approved in the same round.  A department returning it
may ask for the enterprise's signature again (重新签字): the correction that resubmits
it is then refused until the enterprise has signed again, or its refusal was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from spotcheck.core.errors import DomainError

PENDING = "pending"
ENTERED = "entered"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"

STATE_LABELS: dict[str, str] = {
    PENDING: "未录入",
    ENTERED: "已录入",
    SUBMITTED: "待审核",
    RETURNED: "已退回",
    APPROVED: "已通过",
}

TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (PENDING, ENTERED),
        (ENTERED, SUBMITTED),
        (SUBMITTED, RETURNED),
        (SUBMITTED, APPROVED),
        (RETURNED, SUBMITTED),
    }
)


class RecordFrozen(DomainError):
    """A change to a signed record was refused."""


class IllegalRecordMove(DomainError):
    """The record cannot move from its state to the one asked for."""


def check_move(source: str, target: str) -> None:
    if (source, target) not in TRANSITIONS:
        raise IllegalRecordMove(
            f"记录表状态不能从“{STATE_LABELS[source]}”变为“{STATE_LABELS[target]}”"
        )


def check_change(state: str, *, signed: bool, correction_reason: str) -> bool:
    """Tell whether a change of the entries is a correction; raise if it is not allowed.

    Returns False for a plain draft change (unsigned record), True for a correction.
    """
    if state == APPROVED:
        raise RecordFrozen("记录表已审核通过，不能再修改")
    if not signed:
        return False
    if not correction_reason.strip():
        raise RecordFrozen("记录表已签字确认并冻结，修改须作为更正提交，并填写更正理由")
    return True


# ------------------------------------------------------------------ department review

REVIEW_APPROVED = "approved"
REVIEW_RETURNED = "returned"


def department_review_label(state: str, decision: str | None) -> str:
    """What one department's review stands at, in the record's current review round."""
    if decision == REVIEW_APPROVED:
        return "已通过"
    if decision == REVIEW_RETURNED:
        return "已退回"
    if state == SUBMITTED:
        return "待审核"
    if state == RETURNED:
        return "待更正后审核"
    return "未送审"


class ResignatureMissing(DomainError):
    """A correction was refused: a reviewer asked for the enterprise to sign again."""


def check_resignature(
    requests: Iterable[tuple[str, dt.datetime]], party_signed_at: dt.datetime | None
) -> None:
    """Refuse to resubmit while a return asked for a signature the enterprise has not given.

    ``requests`` are the (department, returned at) of the current round's returns that
    asked for it; a signature (or recorded refusal) after the return answers it.
    """
    waiting = [
        department
        for department, returned_at in requests
        if party_signed_at is None or party_signed_at <= returned_at
    ]
    if waiting:
        raise ResignatureMissing(
            f"{'、'.join(waiting)}退回时要求检查对象重新签字：请先请检查对象重新签字"
            "（或记录拒签情况和见证人），再提交更正、重新送审"
        )
