"""The joint task's state machine: states, allowed moves, who may fire them.

草稿 → 已发布 → 已公告 → 已抽取 → 已派发 → 部门确认中 → 已确认 → 编组中 → 已匹配
→ 检查中 → 结果录入中 → 已公示 → (后续处置中 →) 已办结.  Three moves start a
working-day time limit of the seed plan: 2 days to compare and confirm the
dispatched objects, 20 days to enter and publish results, 20 days for disposal.

A redraw (重新抽取) needs a written reason and the approval of an official of another
role.  An approved redraw of a drawn task takes it from 已确认 or 编组中 back to
已发布, where the next attempt is announced afresh; once matched (已匹配) the
一企一表 records exist and a redraw is refused (docs/domain/redraw.md).

Every move belongs to a named step (发布任务, 撤回为草稿, 开始检查 …): there is no bare
"change state".  The steps a person takes are offered on the task page and check their
preconditions first (``spotcheck.core.taskguards``); the moves an event completes (the
last department's confirmation, the last result published) are made by the system in
the same transaction as that event.
"""

from __future__ import annotations

from dataclasses import dataclass

from spotcheck.core.errors import DomainError
from spotcheck.core.roles import ORGANISER_ROLES, REDRAW_APPROVER_ROLES

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

LEAD = ORGANISER_ROLES
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


# the named steps (the ``step`` of a transition)
PUBLISH = "publish"
WITHDRAW = "withdraw"
ANNOUNCE = "announce"
DRAW = "draw"
ABANDON = "abandon"
DISPATCH = "dispatch"
UNDISPATCH = "undispatch"
CONFIRM = "confirm"
GROUP = "grouping"
REDRAW = "redraw"
MATCH = "match"
START_CHECKING = "start_checking"
FINISH_CHECKING = "finish_checking"
PUBLICISE = "publicise"
DISPOSE = "dispose"
CLOSE = "close"

TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, PUBLISHED, LEAD, step=PUBLISH),
    Transition(PUBLISHED, DRAFT, LEAD, step=WITHDRAW),
    Transition(PUBLISHED, ANNOUNCED, LEAD, step=ANNOUNCE),
    Transition(ANNOUNCED, DRAWN, LEAD, step=DRAW),
    Transition(ANNOUNCED, PUBLISHED, LEAD, step=ABANDON),
    Transition(DRAWN, DISPATCHED, LEAD, step=DISPATCH),
    # the dispatch opens the comparison at once (the system's part of the same step)
    Transition(DISPATCHED, CONFIRMING, LEAD | {SYSTEM}, 2, "比对确认派发的检查对象", DISPATCH),
    # the way back from a dispatch while no department has confirmed or sent anything back
    Transition(CONFIRMING, DRAWN, LEAD, step=UNDISPATCH),
    # the last department's confirmation
    Transition(CONFIRMING, CONFIRMED, LEAD | {SYSTEM}, step=CONFIRM),
    Transition(CONFIRMED, GROUPING, LEAD, step=GROUP),
    # an approved redraw (the approval moves the task, hence the system)
    Transition(CONFIRMED, PUBLISHED, frozenset({SYSTEM}), step=REDRAW),
    Transition(GROUPING, PUBLISHED, frozenset({SYSTEM}), step=REDRAW),
    Transition(GROUPING, MATCHED, LEAD, step=MATCH),
    Transition(MATCHED, CHECKING, LEAD, step=START_CHECKING),
    # by the lead office, or by the system when the last record is approved
    Transition(CHECKING, ENTERING, LEAD | {SYSTEM}, 20, "录入并公示抽查结果", FINISH_CHECKING),
    # by the lead office, or by the system when the last result is published
    Transition(ENTERING, PUBLICISED, LEAD | {SYSTEM}, step=PUBLICISE),
    # by the system only: a task publicised with follow-up cases still open
    Transition(PUBLICISED, DISPOSING, frozenset({SYSTEM}), 20, "录入后续处置结果", DISPOSE),
    Transition(PUBLICISED, CLOSED, LEAD, step=CLOSE),
    Transition(DISPOSING, CLOSED, LEAD, step=CLOSE),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


class IllegalTransition(DomainError):
    """A move the state machine does not allow, or not to this actor."""


STEP_LABELS: dict[str, str] = {
    PUBLISH: "发布任务",
    WITHDRAW: "撤回为草稿",
    ANNOUNCE: "抽取公告",
    DRAW: "随机抽取",
    ABANDON: "放弃抽取",
    DISPATCH: "派发",
    UNDISPATCH: "撤回派发",
    CONFIRM: "确认派发名单",
    GROUP: "开始编组",
    REDRAW: "批准重新抽取",
    MATCH: "随机匹配",
    START_CHECKING: "开始检查",
    FINISH_CHECKING: "结束现场检查",
    PUBLICISE: "结果公示",
    DISPOSE: "转入后续处置",
    CLOSE: "办结",
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
            f"“{STATE_LABELS[target]}”须通过“{STEP_LABELS[transition.step]}”操作完成"
            if not step
            else f"“{STATE_LABELS[target]}”不是“{STEP_LABELS.get(step, step)}”操作的结果"
        )
    if actor_role not in transition.actors:
        raise IllegalTransition(
            f"当前角色无权将任务从“{STATE_LABELS[source]}”变为“{STATE_LABELS[target]}”"
        )
    return transition


def step_transition(source: str, step: str) -> Transition | None:
    """Return the move that ``step`` makes from ``source``, or None if it makes none."""
    for transition in TRANSITIONS:
        if transition.source == source and transition.step == step:
            return transition
    return None


def step_sources(step: str) -> frozenset[str]:
    """Return the states from which ``step`` moves a task."""
    return frozenset(t.source for t in TRANSITIONS if t.step == step)


# --------------------------------------------------------------------------- redraw


class RedrawRefused(DomainError):
    """A redraw that the rules do not allow now, or an approval that does not count."""


def redraw_sources() -> frozenset[str]:
    """Return the task states from which an approved redraw takes a drawn task back."""
    return frozenset(t.source for t in TRANSITIONS if t.step == "redraw")


def check_redraw_state(state: str) -> None:
    """Refuse a redraw of a drawn task in ``state``, saying why in Chinese.

    已发布 is not listed: there no attempt is drawn, and a new attempt after an abandoned
    one is prepared directly (it needs the same reason and approval).
    """
    if state in redraw_sources():
        return
    order = list(STATE_LABELS)
    if order.index(state) >= order.index(MATCHED):
        raise RedrawRefused(
            f"任务已“{STATE_LABELS[state]}”，不能重新抽取：随机匹配时已按本次抽取结果生成一企一表"
            "并分配检查组，重新抽取会使这些记录失去依据。重新抽取只能在随机匹配之前"
            "（“已确认”或“编组中”）申请。"
        )
    raise RedrawRefused(
        f"任务处于“{STATE_LABELS[state]}”，不能申请重新抽取：须待各部门确认派发名单"
        "（任务“已确认”）后、随机匹配之前申请。"
    )


def check_redraw_approval(
    *, requester: str, requester_role: str, approver: str, approver_role: str
) -> None:
    """Refuse an approver who is the requester, holds the requester's role, or is no official."""
    if approver == requester or approver_role == requester_role:
        raise RedrawRefused("重新抽取须由另一角色的官员批准")
    if approver_role not in REDRAW_APPROVER_ROLES:
        raise RedrawRefused("执法检查人员不能批准重新抽取，须由另一角色的官员批准")
