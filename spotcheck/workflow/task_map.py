"""The task page as a map of the process: one stage per step of the joint task.

Each stage says whether it is done, under way or still to come, who must act next, the
time limit from the working-day calendar (the task's ``Deadline`` rows) and, where the
viewer may act, the page where it is done. Everything is read in a fixed number of
queries, whatever the number of records or cases.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from spotcheck.access.gates import access_department_for_administering, access_tasks_for_organising
from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.core import taskflow
from spotcheck.core.deadlineflow import CONFIRM_OBJECTS, DISPOSAL, ENTER_RESULTS
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt, DrawOfficial
from spotcheck.draws.selectors import departments_to_claim
from spotcheck.followup.choices import CaseState
from spotcheck.followup.models import Case
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord
from spotcheck.publicity.models import ResultPublication

DONE, CURRENT, LATER = "done", "current", "later"
STATUS_LABELS = {DONE: "已完成", CURRENT: "进行中", LATER: "未开始"}

# The task states in their order, and for each stage the state from which it is under
# way and the state from which it is done (core.taskflow's order).
_ORDER = list(taskflow.STATE_LABELS)
_SPANS = {
    "overview": (taskflow.DRAFT, taskflow.PUBLISHED),
    "draw": (taskflow.PUBLISHED, taskflow.DRAWN),
    "objects": (taskflow.DRAWN, taskflow.CONFIRMED),
    "grouping": (taskflow.CONFIRMED, taskflow.MATCHED),
    "records": (taskflow.MATCHED, taskflow.ENTERING),
    "publication": (taskflow.ENTERING, taskflow.PUBLICISED),
    "followup": (taskflow.PUBLICISED, taskflow.CLOSED),
}


@dataclass(frozen=True)
class Due:
    """A time limit of the stage: whose, until when, and how late today."""

    department: str
    due_date: dt.date
    provisional: bool
    late: bool


@dataclass
class Stage:
    """One section of the task page."""

    key: str
    title: str
    status: str = LATER
    who: str = ""
    facts: list[str] = field(default_factory=list)
    dues: list[Due] = field(default_factory=list)
    action: tuple[str, str] | None = None  # (label, url) when the viewer may act there

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class _Reads:
    """What the stages are built from, read once per page."""

    attempt: DrawAttempt | None
    awaited_officials: list[str]
    unconfirmed: list[str]
    to_claim: list[str]
    records: Counter[str]
    merged: int
    published_records: int
    cases: Counter[str]
    case_departments: list[str]
    dues: dict[str, list[Due]]


def _status(task: Task, key: str) -> str:
    start, done = _SPANS[key]
    position = _ORDER.index(task.state)
    if position >= _ORDER.index(done):
        return DONE
    return CURRENT if position >= _ORDER.index(start) else LATER


def _dues(task: Task, today: dt.date) -> dict[str, list[Due]]:
    found: dict[str, list[Due]] = {}
    rows = Deadline.objects.filter(target_type="campaigns.task", target_id=str(task.pk))
    for d in (
        rows.exclude(state=DeadlineState.DONE).select_related("department").order_by("due_date")
    ):
        found.setdefault(d.kind, []).append(
            Due(
                d.department.short_name or d.department.name,
                d.due_date,
                d.provisional,
                d.due_date < today,
            )
        )
    return found


def _read(task: Task, today: dt.date) -> _Reads:
    attempt = (
        task.draw_attempts.exclude(status__in=[AttemptStatus.ABANDONED, AttemptStatus.SUPERSEDED])
        .order_by("-number")
        .first()
    )
    awaited: list[str] = []
    if attempt is not None and attempt.status in (
        AttemptStatus.COMMITTING,
        AttemptStatus.ANNOUNCED,
    ):
        waiting = DrawOfficial.objects.filter(attempt=attempt).select_related("user")
        column = "committed_at" if attempt.status == AttemptStatus.COMMITTING else "revealed_at"
        awaited = [o.user.display_name for o in waiting.filter(**{f"{column}__isnull": True})]
    records = JointRecord.objects.filter(task=task)
    cases = Case.objects.filter(task=task)
    return _Reads(
        attempt=attempt,
        awaited_officials=awaited,
        unconfirmed=[
            p.department.name
            for p in task.participants.filter(confirmed_at__isnull=True).select_related(
                "department"
            )
        ],
        to_claim=departments_to_claim(task) if task.state == taskflow.GROUPING else [],
        records=Counter(dict(records.values_list("state").annotate(n=Count("id")))),
        merged=records.filter(merged_into__isnull=False).count(),
        published_records=ResultPublication.objects.filter(record__task=task)
        .values("record")
        .distinct()
        .count(),
        cases=Counter(dict(cases.values_list("state").annotate(n=Count("id")))),
        case_departments=sorted(
            set(cases.exclude(state=CaseState.CLOSED).values_list("department__name", flat=True))
        ),
        dues=_dues(task, today),
    )


def _overview(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("overview", "概况", _status(task, "overview"))
    stage.facts = [
        f"检查日期 {task.window_start:%Y-%m-%d} 至 {task.window_end:%Y-%m-%d}",
        f"参与部门 {task.participants.count()} 个",
    ]
    if stage.status == CURRENT:
        stage.who = f"{task.lead_department.name}：完善任务内容后发布任务"
        if task_can_organise(user, task):
            stage.action = ("修改任务", reverse("campaigns:task_edit", args=[task.pk]))
    return stage


def _draw(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("draw", "随机抽取", _status(task, "draw"))
    attempt = reads.attempt
    if attempt is not None:
        stage.facts.append(f"第{attempt.number}次抽取：{attempt.get_status_display()}")
    if stage.status == CURRENT:
        if reads.awaited_officials:
            step = (
                "作出承诺"
                if attempt and attempt.status == AttemptStatus.COMMITTING
                else "公布秘密值"
            )
            stage.who = f"{'、'.join(reads.awaited_officials)}：{step}"
        else:
            stage.who = f"{task.lead_department.name}：发起、公告并执行随机抽取"
    if task.state != taskflow.DRAFT:
        stage.action = ("打开随机抽取", reverse("draws:draw_page", args=[task.pk]))
    return stage


def _objects(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("objects", "检查对象", _status(task, "objects"))
    stage.dues = reads.dues.get(CONFIRM_OBJECTS, [])
    if stage.status == CURRENT and reads.unconfirmed:
        stage.who = f"{'、'.join(reads.unconfirmed)}：比对确认派发的检查对象"
    elif stage.status == CURRENT:
        stage.who = f"{task.lead_department.name}：派发抽取结果"
    if _ORDER.index(task.state) >= _ORDER.index(taskflow.DISPATCHED):
        label = "比对确认检查对象" if stage.status == CURRENT else "查看检查对象"
        stage.action = (label, reverse("draws:objects", args=[task.pk]))
    return stage


def _grouping(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("grouping", "编组与匹配", _status(task, "grouping"))
    if stage.status == CURRENT and reads.to_claim:
        stage.who = f"{'、'.join(reads.to_claim)}：认领检查对象并抽取执法人员"
    elif stage.status == CURRENT:
        stage.who = f"{task.lead_department.name}：开始编组或随机匹配"
    if stage.status == CURRENT and (
        access_tasks_for_organising(user) or access_department_for_administering(user)
    ):
        stage.action = ("前往编组与匹配", "#grouping")
    return stage


def _records(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("records", "一企一表", _status(task, "records"))
    total = sum(reads.records.values())
    if total:
        counts = "，".join(
            f"{RecordState(state).label} {reads.records[state]} 份"
            for state in RecordState.values
            if reads.records[state]
        )
        stage.facts.append(f"共 {total} 份：{counts}")
        if reads.merged:
            stage.facts.append(f"合并检查 {reads.merged} 份")
        stage.action = ("查看一企一表", reverse("inspections:record_list", args=[task.pk]))
    if stage.status == CURRENT:
        left = total - reads.records[RecordState.APPROVED]
        stage.who = f"各检查组：完成现场检查并签字提交（尚有 {left} 份未审核通过）"
    return stage


def _publication(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("publication", "结果公示", _status(task, "publication"))
    stage.dues = reads.dues.get(ENTER_RESULTS, [])
    total = sum(reads.records.values())
    if total:
        stage.facts.append(f"已公示 {reads.published_records} / {total} 份")
    if stage.status == CURRENT:
        waiting = reads.records[RecordState.SUBMITTED]
        stage.who = f"各参与部门：审核检查结果（待审核 {waiting} 份），审核通过即公示"
        if access_department_for_administering(user):
            stage.action = ("前往部门待办", reverse("inspections:inbox"))
    return stage


def _followup(task: Task, user: User, reads: _Reads) -> Stage:
    stage = Stage("followup", "后续处置", _status(task, "followup"))
    stage.dues = reads.dues.get(DISPOSAL, [])
    total = sum(reads.cases.values())
    if total:
        cases = reads.cases
        stage.facts.append(
            f"后续处置事项 {total} 件：已办结 {cases[CaseState.CLOSED]} 件，"
            f"处置中 {cases[CaseState.OPEN]} 件，移交待接收 {cases[CaseState.TRANSFERRING]} 件"
        )
        stage.action = ("查看后续处置", reverse("followup:case_list") + f"?task={task.pk}")
    if stage.status == CURRENT and reads.case_departments:
        stage.who = f"{'、'.join(reads.case_departments)}：录入后续处置结果"
    elif stage.status == CURRENT:
        stage.who = f"{task.lead_department.name}：确认办结"
    return stage


_BUILDERS = (_overview, _draw, _objects, _grouping, _records, _publication, _followup)


def task_map(task: Task, user: User, *, today: dt.date) -> list[Stage]:
    """The stages of the task, in order, as ``user`` sees them on ``today``."""
    reads = _read(task, today)
    return [build(task, user, reads) for build in _BUILDERS]
