"""The joint task's state machine: states, allowed moves, who may fire them.

草稿 → 已发布 → 已公告 → 已抽取 → 已派发 → 部门确认中 → 已确认 → 编组中 → 已匹配
→ 检查中 → 结果录入中 → 已公示 → (后续处置中 →) 已办结.  Three moves start a
working-day time limit of the seed plan: 2 days to compare and confirm the
dispatched objects, 20 days to enter and publish results, 20 days for disposal.
"""

from __future__ import annotations

from dataclasses import dataclass

from spotcheck.core.errors import DomainError

DRAFT = "draft"
PUBLISHED = "published"
ANNOUNCED = "announced"
DRAWN = "drawn"
DISPATCHED = "dispatched"
CONFIRMING = "confirming"
CONFIRMED = "confirmed"
GROUPING = "grouping"
MATCHED = "matched"
CHECKING = "checking"
ENTERING = "entering"
PUBLICISED = "publicised"
DISPOSING = "disposing"
CLOSED = "closed"

STATE_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    PUBLISHED: "已发布",
    ANNOUNCED: "已公告",
    DRAWN: "已抽取",
    DISPATCHED: "已派发",
    CONFIRMING: "部门确认中",
    CONFIRMED: "已确认",
    GROUPING: "编组中",
    MATCHED: "已匹配",
    CHECKING: "检查中",
    ENTERING: "结果录入中",
    PUBLICISED: "已公示",
    DISPOSING: "后续处置中",
    CLOSED: "已办结",
}

LEAD = frozenset({"lead_admin", "platform_admin"})
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """One allowed move, who may fire it, and the time limit it starts."""

    source: str
    target: str
    actors: frozenset[str]
    deadline_days: int | None = None
    deadline_label: str = ""
    # A move that only a dedicated step may make (the announcement freezes the frame,
    # the draw runs DRAW-v1 …); a bare "change state" must never stand in for it.
    step: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, PUBLISHED, LEAD),
    Transition(PUBLISHED, DRAFT, LEAD),
    Transition(PUBLISHED, ANNOUNCED, LEAD, step="announce"),
    Transition(ANNOUNCED, DRAWN, LEAD, step="draw"),
    Transition(ANNOUNCED, PUBLISHED, LEAD, step="abandon"),
    Transition(DRAWN, DISPATCHED, LEAD, step="dispatch"),
    Transition(DISPATCHED, CONFIRMING, LEAD | {SYSTEM}, 2, "比对确认派发的检查对象"),
    Transition(CONFIRMING, CONFIRMED, LEAD | {SYSTEM}),
    Transition(CONFIRMED, GROUPING, LEAD),
    Transition(GROUPING, MATCHED, LEAD, step="match"),
    Transition(MATCHED, CHECKING, LEAD),
    Transition(CHECKING, ENTERING, LEAD, 20, "录入并公示抽查结果"),
    Transition(ENTERING, PUBLICISED, LEAD | {SYSTEM}),
    Transition(PUBLICISED, DISPOSING, LEAD | {SYSTEM}, 20, "录入后续处置结果"),
    Transition(PUBLICISED, CLOSED, LEAD),
    Transition(DISPOSING, CLOSED, LEAD | {SYSTEM}),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


class IllegalTransition(DomainError):
    """A move the state machine does not allow, or not to this actor."""


_STEP_LABELS = {
    "announce": "抽取公告",
    "draw": "随机抽取",
    "abandon": "放弃抽取",
    "dispatch": "派发",
    "match": "随机匹配",
}


def transition_for(source: str, target: str, actor_role: str, *, step: str = "") -> Transition:
    """Return the transition, or raise IllegalTransition with a Chinese explanation."""
    transition = _BY_PAIR.get((source, target))
    if transition is None:
        raise IllegalTransition(
            f"任务状态不能从“{STATE_LABELS.get(source, source)}”"
            f"变为“{STATE_LABELS.get(target, target)}”"
        )
    if transition.step != step:
        raise IllegalTransition(
            f"“{STATE_LABELS[target]}”须通过“{_STEP_LABELS[transition.step]}”操作完成"
            if transition.step
            else f"“{STATE_LABELS[target]}”不是“{_STEP_LABELS.get(step, step)}”操作的结果"
        )
    if actor_role not in transition.actors:
        raise IllegalTransition(
            f"当前角色无权将任务从“{STATE_LABELS[source]}”变为“{STATE_LABELS[target]}”"
        )
    return transition


def next_states(source: str, actor_role: str) -> list[str]:
    """Return the states this actor may reach by a plain move (no dedicated step)."""
    return [
        t.target
        for t in TRANSITIONS
        if t.source == source and actor_role in t.actors and not t.step
    ]
