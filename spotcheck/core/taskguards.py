"""What must be true before a named step moves a joint task on, and what to say when it is not.

Each guard takes a ``TaskSnapshot`` (plain facts read from the database by the workflow
layer) and returns the list of what blocks the step, in Chinese, naming the records,
departments or cases that stand in the way; an empty list means the step may go ahead.
No Django, no database: ``spotcheck.workflow.task_snapshot`` builds the snapshot and
``spotcheck.workflow.task_steps`` runs the steps.

The steps and what they need:

- 发布任务 (草稿 → 已发布): participating departments, each with items, the lead
  department among them, no department or item stopped since; an area; at least one
  ratio above 0 and every ratio that is drawn at or above the floor; the check window
  (检查时间) filled in and in order; and the window not over, unless a written reason
  (at least 4 characters) is given — it goes into the audit record.
- 撤回为草稿 (已发布 → 草稿): no draw of the task has been announced (its terms were made
  public and drawn on: changing them afterwards would let the scope follow the outcome)
  and none is collecting commitments or waiting for a redraw approval.
- 开始检查 (已匹配 → 检查中): the 一企一表 records exist; every record has a 检查组; every
  group has at least two inspectors (行政处罚法：执法人员不得少于两人) and exactly one
  leader, and an inspector of every department whose items are on its records (the
  matching rule of DRAW-v1.1, ``spotcheck.core.draw.matching`` rule 2).
- 结束现场检查 (检查中 → 结果录入中): every record signed on site (签字确认, or the
  enterprise's refusal recorded with a witness).  The system makes this move itself when
  the last record is approved.
- 结果公示 (结果录入中 → 已公示): every record approved, and the result of every
  department on it published.  The system makes this move itself when the last result
  is published.
- 转入后续处置 (已公示 → 后续处置中): made by the system only, when the task is publicised
  while a follow-up case still stands in the way of 办结.
- 办结 (已公示 / 后续处置中 → 已办结): every follow-up case (后续处置事项) closed, or
  transferred to the competent department and accepted there: the plan asks the finding
  department to "依法处理或移交有关部门", and an accepted transfer discharges it (the
  sender's time limit is completed then, docs/domain/followup.md).  A case still waiting
  to be accepted, or one its department has neither closed nor passed on, blocks it.

Result codes and publication (the choice made here).  No record is settled without
publication.  Every code of the national table (``spotcheck.catalogue.result_codes``,
domain.md §2) is itself a published 抽查结果 category: 通过登记的住所（经营场所）无法联系
(6) is published and puts the enterprise on the 经营异常名录, 未发现开展本次抽查涉及的
经营活动 (F), 已关闭停业 (7) and the status codes 注销/被吊销/被撤销/迁出 (9–12) are
published as such (the tallies of 常州天宁 quoted in domain.md count them among the
published results).  An enterprise that could not be visited is therefore closed by
entering the code that says so, and its record is reviewed and published like any other;
the guard asks for the same thing of every record, whatever its codes: approved, and
each department's result on it published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from spotcheck.core import followup as caseflow
from spotcheck.core import recordflow, taskflow
from spotcheck.core.errors import DomainError

REASON_MIN_LENGTH = 4
LISTED = 10  # names listed in one blocker; the rest are counted


@dataclass(frozen=True)
class ParticipantFacts:
    """A participating department, with its items and what of them was stopped."""

    department: str
    items: tuple[str, ...] = ()
    department_active: bool = True
    inactive_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupFacts:
    """A 检查组: its number, how many members and leaders, and their departments."""

    number: int
    members: int
    leaders: int
    departments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RecordFacts:
    """A 一企一表 record: where it stands in review and publication."""

    number: str
    entity: str
    state: str = recordflow.PENDING
    signed: bool = False
    group: int | None = None
    departments: tuple[str, ...] = ()  # with items on the record
    published: frozenset[str] = frozenset()  # whose current result is public

    @property
    def name(self) -> str:
        return f"{self.number}（{self.entity}）"


@dataclass(frozen=True)
class CaseFacts:
    """A 后续处置事项: its state, the department holding it, a pending transfer."""

    number: str
    entity: str
    state: str = caseflow.OPEN
    holder: str = ""
    transfer_to: str = ""
    accepted_transfer: bool = False  # taken over by a department it was transferred to


@dataclass(frozen=True)
class TaskSnapshot:
    """What the guards need to know of a task; the parts a step does not read stay empty."""

    state: str
    today: dt.date
    lead_department: str = ""
    participants: tuple[ParticipantFacts, ...] = ()
    scope_region: str = ""
    ratios: tuple[tuple[str, Decimal], ...] = ()  # (类别, percent)
    floor_ratio: Decimal = Decimal("0")
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    announced_attempts: tuple[str, ...] = ()  # draw attempts ever announced
    open_attempts: tuple[str, ...] = ()  # collecting commitments or awaiting approval
    records: tuple[RecordFacts, ...] = ()
    groups: tuple[GroupFacts, ...] = field(default_factory=tuple)
    cases: tuple[CaseFacts, ...] = ()


class StepBlocked(DomainError):
    """A step whose preconditions do not hold; ``blockers`` says each one in Chinese."""

    def __init__(self, step: str, blockers: Sequence[str]) -> None:
        self.step = step
        self.blockers = list(blockers)
        label = taskflow.STEP_LABELS.get(step, step)
        super().__init__(f"现在不能“{label}”：" + "；".join(self.blockers))


def listing(names: Sequence[str], unit: str) -> str:
    """Name the first ``LISTED`` of ``names`` and count the rest: "甲、乙等12份"."""
    shown = "、".join(names[:LISTED])
    if len(names) > LISTED:
        return f"{shown}等{len(names)}{unit}"
    return shown


def day_label(day: dt.date) -> str:
    """A date as a page says it: 2026年7月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _state_blocker(step: str, snapshot: TaskSnapshot) -> list[str]:
    sources = taskflow.step_sources(step)
    if snapshot.state in sources:
        return []
    wanted = "或".join(
        f"“{label}”" for state, label in taskflow.STATE_LABELS.items() if state in sources
    )
    return [
        f"任务处于“{taskflow.STATE_LABELS.get(snapshot.state, snapshot.state)}”，"
        f"只有{wanted}的任务可以“{taskflow.STEP_LABELS[step]}”"
    ]


# ------------------------------------------------------------------------ 发布任务


def _participant_blockers(s: TaskSnapshot) -> list[str]:
    if not s.participants:
        return ["尚未指定参与部门及其抽查事项"]
    found = []
    names = [p.department for p in s.participants]
    if s.lead_department and s.lead_department not in names:
        found.append(f"牵头部门（{s.lead_department}）须同时作为参与部门并选择抽查事项")
    empty = [p.department for p in s.participants if not p.items]
    if empty:
        found.append(f"以下参与部门未选择抽查事项：{listing(empty, '个部门')}")
    stopped = [p.department for p in s.participants if not p.department_active]
    if stopped:
        found.append(f"以下参与部门已停用：{listing(stopped, '个部门')}")
    items = [f"{i}（{p.department}）" for p in s.participants for i in p.inactive_items]
    if items:
        found.append(f"以下抽查事项已停用，须修改任务后再发布：{listing(items, '项')}")
    return found


def _ratio_blockers(s: TaskSnapshot) -> list[str]:
    drawn = [(name, r) for name, r in s.ratios if r > 0]
    if not drawn:
        return ["各信用风险类别的抽取比例均为0，至少一个类别的比例须大于0"]
    low = [name for name, r in drawn if r < s.floor_ratio]
    if low:
        return [
            f"{'、'.join(low)}的抽取比例低于总体下限{s.floor_ratio.normalize():f}%"
            "（不抽取的类别请填0）"
        ]
    return []


def _window_blockers(s: TaskSnapshot, late_reason: str | None) -> list[str]:
    if s.window_start is None or s.window_end is None:
        return ["尚未填写检查时间"]
    if s.window_end < s.window_start:
        return ["检查时间的结束日期早于开始日期"]
    if late_reason is None:  # a form that asks for the reason is being shown
        return []
    if s.window_end < s.today and len(late_reason.strip()) < REASON_MIN_LENGTH:
        return [
            f"检查时间已于{day_label(s.window_end)}结束：如确需发布，须写明理由"
            f"（至少{REASON_MIN_LENGTH}个字），理由记入审计日志"
        ]
    return []


def publish_blockers(s: TaskSnapshot, *, late_reason: str | None = "") -> list[str]:
    """发布任务: items, scope, ratios and window complete; a window over needs a reason.

    ``late_reason=None`` leaves the reason out of account: for the page that asks for it.
    """
    found = _state_blocker(taskflow.PUBLISH, s)
    found += _participant_blockers(s)
    if not s.scope_region:
        found.append("尚未指定抽查对象的区域范围")
    found += _ratio_blockers(s)
    found += _window_blockers(s, late_reason)
    return found


def is_late(s: TaskSnapshot) -> bool:
    """Tell whether the check window is already over (publishing then needs a reason)."""
    return s.window_end is not None and s.window_end < s.today


# ------------------------------------------------------------------------ 撤回为草稿


def withdraw_blockers(s: TaskSnapshot) -> list[str]:
    """撤回为草稿: only while no draw was announced or is being prepared."""
    found = _state_blocker(taskflow.WITHDRAW, s)
    if s.announced_attempts:
        found.append(
            f"本任务已公告过抽取（{listing(list(s.announced_attempts), '次')}），"
            "任务条件已经公开并据以抽取，不能撤回修改"
        )
    if s.open_attempts:
        found.append(
            f"本任务有正在准备或待批准的抽取（{listing(list(s.open_attempts), '次')}），"
            "须先放弃该次抽取或撤回其申请"
        )
    return found


# ------------------------------------------------------------------------ 开始检查


def _group_blockers(s: TaskSnapshot) -> list[str]:
    found = []
    small = [f"第{g.number}组（{g.members}人）" for g in s.groups if g.members < 2]
    if small:
        found.append(
            f"以下检查组不足2名执法检查人员（执法人员不得少于两人）：{listing(small, '个组')}"
        )
    no_leader = [f"第{g.number}组" for g in s.groups if g.leaders == 0]
    if no_leader:
        found.append(f"以下检查组没有组长：{listing(no_leader, '个组')}")
    many = [f"第{g.number}组" for g in s.groups if g.leaders > 1]
    if many:
        found.append(f"以下检查组有多名组长：{listing(many, '个组')}")
    return found


def _coverage_blockers(s: TaskSnapshot) -> list[str]:
    groups = {g.number: g for g in s.groups}
    missing = []
    for record in s.records:
        group = groups.get(record.group) if record.group is not None else None
        if group is None:
            continue
        lacking = [d for d in record.departments if d not in group.departments]
        if lacking:
            missing.append(f"{record.name}缺{'、'.join(lacking)}")
    if not missing:
        return []
    return [f"以下记录表的检查组中没有相应部门的执法检查人员：{listing(missing, '份')}"]


def start_checking_blockers(s: TaskSnapshot) -> list[str]:
    """开始检查: the records exist, each with a complete group."""
    found = _state_blocker(taskflow.START_CHECKING, s)
    if not s.records:
        return [*found, "尚未生成一企一表，须先完成随机匹配"]
    ungrouped = [r.name for r in s.records if r.group is None]
    if ungrouped:
        found.append(
            "以下记录表没有检查组（随机匹配时未能配齐检查人员）："
            f"{listing(ungrouped, '份')}，须由有关部门补派执法检查人员"
        )
    found += _group_blockers(s)
    found += _coverage_blockers(s)
    return found


# ------------------------------------------------------------------------ 结束现场检查


def finish_checking_blockers(s: TaskSnapshot) -> list[str]:
    """结束现场检查: every record signed on site (or the refusal recorded)."""
    found = _state_blocker(taskflow.FINISH_CHECKING, s)
    unsigned = [r.name for r in s.records if not r.signed]
    if unsigned:
        found.append(
            f"以下{len(unsigned)}份记录表尚未完成现场检查并签字确认：{listing(unsigned, '份')}"
        )
    return found


# ------------------------------------------------------------------------ 结果公示


def _unpublished(record: RecordFacts) -> list[str]:
    return [d for d in record.departments if d not in record.published]


def publicise_blockers(s: TaskSnapshot) -> list[str]:
    """结果公示: every record approved and each department's result on it published."""
    found = _state_blocker(taskflow.PUBLICISE, s)
    if not s.records:
        found.append("本任务没有一企一表，没有可公示的抽查结果")
    waiting = [
        f"{r.name}{recordflow.STATE_LABELS.get(r.state, r.state)}"
        for r in s.records
        if r.state != recordflow.APPROVED
    ]
    if waiting:
        found.append(f"以下{len(waiting)}份记录表尚未审核通过：{listing(waiting, '份')}")
    unpublished = [
        f"{r.name}{'、'.join(_unpublished(r))}"
        for r in s.records
        if r.state == recordflow.APPROVED and _unpublished(r)
    ]
    if unpublished:
        found.append(
            f"以下{len(unpublished)}份记录表已审核通过，但尚有部门的结果未公示："
            f"{listing(unpublished, '份')}"
        )
    return found


# ------------------------------------------------------------------------ 办结


def _case_blockers(s: TaskSnapshot) -> list[str]:
    found = []
    pending = [
        f"{c.number}（{c.entity}，{c.holder}移交{c.transfer_to}）"
        for c in s.cases
        if c.state == caseflow.TRANSFERRING
    ]
    if pending:
        found.append(f"以下后续处置事项已移交，尚待接收：{listing(pending, '项')}")
    held = [
        f"{c.number}（{c.entity}，{c.holder}办理中）"
        for c in s.cases
        if c.state == caseflow.OPEN and not c.accepted_transfer
    ]
    if held:
        found.append(f"以下后续处置事项尚未办结或移交：{listing(held, '项')}")
    return found


def close_blockers(s: TaskSnapshot) -> list[str]:
    """办结: every follow-up case closed, or transferred and accepted."""
    return _state_blocker(taskflow.CLOSE, s) + _case_blockers(s)


def dispose_blockers(s: TaskSnapshot) -> list[str]:
    """转入后续处置 (the system's move): only while a case stands in the way of 办结."""
    found = _state_blocker(taskflow.DISPOSE, s)
    if not _case_blockers(s):
        found.append("没有待办理的后续处置事项")
    return found


Guard = Callable[[TaskSnapshot], list[str]]

GUARDS: dict[str, Guard] = {
    taskflow.PUBLISH: publish_blockers,
    taskflow.WITHDRAW: withdraw_blockers,
    taskflow.START_CHECKING: start_checking_blockers,
    taskflow.FINISH_CHECKING: finish_checking_blockers,
    taskflow.PUBLICISE: publicise_blockers,
    taskflow.DISPOSE: dispose_blockers,
    taskflow.CLOSE: close_blockers,
}

# The moves an event completes, by the state they leave: the system makes them as soon as
# their guard passes (spotcheck.workflow.task_steps.task_advance).
AUTOMATIC: dict[str, str] = {
    taskflow.CHECKING: taskflow.FINISH_CHECKING,
    taskflow.ENTERING: taskflow.PUBLICISE,
    taskflow.PUBLICISED: taskflow.DISPOSE,
}


def blockers(step: str, snapshot: TaskSnapshot, *, late_reason: str | None = "") -> list[str]:
    """Return what blocks ``step`` now (empty: it may go ahead)."""
    if step == taskflow.PUBLISH:
        return publish_blockers(snapshot, late_reason=late_reason)
    return GUARDS[step](snapshot)
