"""Reads behind the to-do list of the 工作台 and the count on its menu item.

``todos_for_user`` lists what waits for the signed-in user, each item with its task, its
deadline from the working-day calendar (the ``Deadline`` rows where the step has one),
how late it is, and a link to the page where the step is done:

- a department's administrator (部门管理员, and the lead office for its own part): the
  dispatched objects to confirm, the claims and inspector draws to make, the records
  waiting for its review, the follow-up transfers to accept, the follow-up cases it
  holds open, and its overdue deadlines;
- the lead office and the platform administrator: every task waiting for the lead office's
  next step, the approved records it still has to confirm, and every participating
  department late on a step;
- any official named in a draw: the commitment or the reveal awaited from them, and the
  redraw requests they are named to decide;
- an inspector (执法检查人员): the records sent back, overdue, of today, of this week and
  not yet scheduled;
- the auditor (审计员): the redraw requests and the corrections of signed records of the
  last 30 days (``AUDIT_DAYS``). Nothing records what an auditor has opened, so the rule is
  simply "recent": each stays on the list for 30 days.

Every kind of item is read with a fixed number of queries whatever the number of rows
(sums and existence checks in SQL), but for one read of the stored draw per task in
编组中 (which departments have objects to claim); a kind with more than ``LIMIT`` items
shows the first ``LIMIT`` and one line with the count of the rest.
``todo_count_for_user`` counts the same items without building them, for the badge on
the menu.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import CharField, Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from spotcheck.access.gates import (
    access_audit_for_reading,
    access_department_for_administering,
    access_records_for_inspecting,
    access_tasks_for_organising,
)
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.core.workdays import WorkCalendar, YearNotConfirmedError
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.selectors import estimate_calendar
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DepartmentClaim, DrawAttempt, DrawOfficial
from spotcheck.draws.selectors import department_objects
from spotcheck.followup.choices import CaseState
from spotcheck.followup.models import Case
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import DepartmentReview, JointRecord, RecordItem
from spotcheck.inspections.selectors.field import field_records_for_inspector

LIMIT = 20
AUDIT_DAYS = 30

OVERDUE = "overdue"
TODAY = "today"
WEEK = "week"
LATER = "later"
URGENCY_LABELS = {OVERDUE: "已超期", TODAY: "今天到期", WEEK: "本周", LATER: "其他"}

TASK_TARGET = "campaigns.task"
RECORD_TARGET = "inspections.jointrecord"
CASE_TARGET = "followup.case"
_LIVE = (DeadlineState.OPEN, DeadlineState.OVERDUE)


@dataclass(frozen=True)
class Todo:
    """One thing waiting for the user, with where to do it.

    ``days_left`` counts working days from today to ``due`` (the due date included);
    it is negative when the item is overdue and None when the step has no due date.
    """

    what: str
    task: str
    url: str
    due: dt.date | None = None
    days_left: int | None = None
    urgency: str = LATER
    provisional: bool = False

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS[self.urgency]

    @property
    def lateness(self) -> str:
        """How late, in Chinese: 已超期3个工作日, 今天到期, 还剩2个工作日."""
        if self.due is None or self.days_left is None:
            return ""
        if self.urgency == OVERDUE:
            return f"已超期{-self.days_left}个工作日" if self.days_left < 0 else "已超期"
        if self.urgency == TODAY:
            return "今天到期"
        if self.days_left <= 0:
            return "下一个工作日前到期"
        return f"还剩{self.days_left}个工作日"


def task_label(task: Task) -> str:
    return f"{task.number} {task.name}"


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class _Source:
    """One kind of item: the rows behind it, how they become items, and the overflow line.

    ``per_row`` is False when a row may give no item or several (the tasks of the lead
    office): then the count builds the items instead of counting rows.
    """

    rows: QuerySet[Any]
    build: Callable[[list[Any]], list[Todo]]
    more: Callable[[int], Todo] | None = None
    per_row: bool = True

    def todos(self) -> list[Todo]:
        if self.more is None:
            return self.build(list(self.rows))
        rows = list(self.rows[: LIMIT + 1])
        if len(rows) <= LIMIT:
            return self.build(rows)
        rest = self.rows.count() - LIMIT
        return [*self.build(rows[:LIMIT]), self.more(rest)]

    def count(self) -> int:
        if self.per_row:
            return self.rows.count()
        return len(self.build(list(self.rows)))


def _overdue(today: dt.date) -> Q:
    """Overdue deadlines: marked so by the reminder run, or open past their due date."""
    return Q(state=DeadlineState.OVERDUE) | Q(state=DeadlineState.OPEN, due_date__lt=today)


def _ids_as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
    """The primary keys of ``qs`` as text, to match ``Deadline.target_id``."""
    return qs.annotate(text_id=Cast("pk", CharField())).values("text_id")


def _deadlines_by_target(
    target_type: str, target_ids: Iterable[int], kind: str, departments: Iterable[int]
) -> dict[tuple[int, int], Deadline]:
    """The live deadlines of ``kind`` on the targets, by (target id, department id)."""
    found = Deadline.objects.filter(
        target_type=target_type,
        target_id__in=[str(pk) for pk in target_ids],
        kind=kind,
        department__in=list(departments),
        state__in=_LIVE,
    ).order_by("-due_date")
    return {(int(d.target_id), d.department_id): d for d in found}


def _dated(deadline: Deadline | None) -> dict[str, Any]:
    if deadline is None:
        return {}
    return {"due": deadline.due_date, "provisional": deadline.provisional}


# --------------------------------------------------------------------------- a department


def _confirm_source(departments: frozenset[int]) -> _Source:
    """Dispatched objects the department has not confirmed yet (2 working days)."""
    rows = (
        TaskDepartment.objects.filter(
            department__in=departments,
            task__state=TaskState.CONFIRMING,
            confirmed_at__isnull=True,
        )
        .select_related("task", "department")
        .order_by("task__number", "department__path")
    )

    def build(found: list[TaskDepartment]) -> list[Todo]:
        deadlines = _deadlines_by_target(
            TASK_TARGET,
            {p.task_id for p in found},
            DeadlineKind.CONFIRM_OBJECTS,
            {p.department_id for p in found},
        )
        return [
            Todo(
                what=f"比对确认派发给{p.department.name}的检查对象",
                task=task_label(p.task),
                url=reverse("draws:objects", args=[p.task_id]),
                **_dated(deadlines.get((p.task_id, p.department_id))),
            )
            for p in found
        ]

    return _Source(rows, build)


def _claim_source(departments: frozenset[int]) -> _Source:
    """Tasks in 编组中 where the department has not claimed its objects yet.

    A department without an object on the final list has nothing to claim (the task
    page says 无需检查的对象) and is not listed; whether it has one is read from the drawn
    attempt's stored files (``_departments_with_objects``).
    """
    claimed = DepartmentClaim.objects.filter(
        attempt__task=OuterRef("task"),
        attempt__status=AttemptStatus.DRAWN,
        department=OuterRef("department"),
    )
    rows = (
        TaskDepartment.objects.filter(department__in=departments, task__state=TaskState.GROUPING)
        .exclude(Exists(claimed))
        .select_related("task", "department")
        .order_by("task__number", "department__path")
    )

    def build(found: list[TaskDepartment]) -> list[Todo]:
        objects = _departments_with_objects({p.task_id for p in found})
        return [
            Todo(
                what=f"认领{p.department.name}的检查对象并抽取执法检查人员",
                task=task_label(p.task),
                url=reverse("campaigns:task_detail", args=[p.task_id]),
            )
            for p in found
            if p.department.name in objects.get(p.task_id, {p.department.name})
        ]

    return _Source(rows, build, per_row=False)


def _departments_with_objects(task_ids: Iterable[int]) -> dict[int, set[str]]:
    """The departments (names) with objects on the final list of each task's drawn
    attempt, read from the attempt's stored files (the draw is not re-run), one read per
    task in 编组中. A task whose attempt keeps no announcement is left out: then every
    participant is asked to claim, as before."""
    attempts = DrawAttempt.objects.filter(
        task__in=list(task_ids), status=AttemptStatus.DRAWN
    ).exclude(announcement="")
    return {
        a.task_id: {name for name, entities in department_objects(a).items() if entities}
        for a in attempts
    }


def _review_source(departments: frozenset[int]) -> _Source:
    """Submitted records with an item of the departments not reviewed in this round."""
    reviewed = DepartmentReview.objects.filter(
        record=OuterRef("record"),
        department=OuterRef("department"),
        review_round=OuterRef("record__review_round"),
    )
    waiting = RecordItem.objects.filter(record=OuterRef("pk"), department__in=departments).exclude(
        Exists(reviewed)
    )
    rows = (
        JointRecord.objects.filter(state=RecordState.SUBMITTED)
        .filter(Exists(waiting))
        .select_related("task", "entity")
        .order_by("signed_at", "pk")
    )

    def build(found: list[JointRecord]) -> list[Todo]:
        deadlines = _deadlines_by_target(
            RECORD_TARGET, {r.pk for r in found}, DeadlineKind.ENTER_RESULTS, departments
        )
        by_record: dict[int, Deadline] = {}
        for (record_id, _department), deadline in deadlines.items():
            if record_id not in by_record or deadline.due_date < by_record[record_id].due_date:
                by_record[record_id] = deadline
        return [
            Todo(
                what=f"审核联合检查记录表：{r.entity.name}（{r.number}）",
                task=task_label(r.task),
                url=reverse("inspections:field_final", args=[r.pk]),
                **_dated(by_record.get(r.pk)),
            )
            for r in found
        ]

    def more(n: int) -> Todo:
        return Todo(f"另有{n}份记录表待审核", "", reverse("inspections:field_home"))

    return _Source(rows, build, more)


def _transfer_source(departments: frozenset[int]) -> _Source:
    """Follow-up cases another department transfers to the department (移交待接收)."""
    rows = (
        Case.objects.filter(state=CaseState.TRANSFERRING, transfer_to__in=departments)
        .select_related("task", "entity", "item", "department", "deadline")
        .order_by("updated_at", "pk")
    )

    def build(found: list[Case]) -> list[Todo]:
        return [
            Todo(
                what=f"接收{c.department.name}移交的后续处置事项：{c.entity.name}（{c.item.name}）",
                task=task_label(c.task),
                url=reverse("followup:case_detail", args=[c.pk]),
                **_dated(c.deadline if c.deadline and c.deadline.state in _LIVE else None),
            )
            for c in found
        ]

    def more(n: int) -> Todo:
        return Todo(f"另有{n}项移交的后续处置事项待接收", "", reverse("followup:case_list"))

    return _Source(rows, build, more)


def _case_source(departments: frozenset[int]) -> _Source:
    """Follow-up cases the department holds and has not closed (20 working days)."""
    rows = (
        Case.objects.filter(state=CaseState.OPEN, department__in=departments)
        .select_related("task", "entity", "item", "deadline")
        .order_by("found_on", "pk")
    )

    def build(found: list[Case]) -> list[Todo]:
        return [
            Todo(
                what=f"录入后续处置结果：{c.entity.name}（{c.item.name}）",
                task=task_label(c.task),
                url=reverse("followup:case_detail", args=[c.pk]),
                **_dated(c.deadline if c.deadline and c.deadline.state in _LIVE else None),
            )
            for c in found
        ]

    def more(n: int) -> Todo:
        return Todo(f"另有{n}项后续处置事项待办理", "", reverse("followup:case_list"))

    return _Source(rows, build, more)


def _overdue_source(departments: frozenset[int], today: dt.date) -> _Source:
    """The department's overdue deadlines, but the confirmations and the open cases
    listed on their own."""
    confirming = _ids_as_text(Task.objects.filter(state=TaskState.CONFIRMING))
    open_cases = _ids_as_text(Case.objects.filter(state=CaseState.OPEN))
    rows = (
        Deadline.objects.filter(department__in=departments)
        .filter(_overdue(today))
        .exclude(
            kind=DeadlineKind.CONFIRM_OBJECTS,
            target_type=TASK_TARGET,
            target_id__in=confirming,
        )
        .exclude(target_type=CASE_TARGET, target_id__in=open_cases)
        .order_by("due_date", "pk")
    )

    def more(n: int) -> Todo:
        return Todo(f"另有{n}项办理时限已超期", "", reverse("deadlines:dashboard"))

    return _Source(rows, _overdue_todos, more)


def _overdue_todos(found: list[Deadline]) -> list[Todo]:
    labels = _target_task_labels(found)
    return [
        Todo(
            what=f"超期未办：{d.title}",
            task=labels.get((d.target_type, d.target_id), ""),
            url=d.target_url or reverse("deadlines:dashboard"),
            **_dated(d),
        )
        for d in found
    ]


def _target_task_labels(deadlines: Sequence[Deadline]) -> dict[tuple[str, str], str]:
    """The task of each deadline's target (a task, a record, a case), one query per type."""
    ids: dict[str, set[str]] = {}
    for d in deadlines:
        ids.setdefault(d.target_type, set()).add(d.target_id)
    labels: dict[tuple[str, str], str] = {}
    if ids.get(TASK_TARGET):
        for task in Task.objects.filter(pk__in=ids[TASK_TARGET]):
            labels[(TASK_TARGET, str(task.pk))] = task_label(task)
    for target_type, model in ((RECORD_TARGET, JointRecord), (CASE_TARGET, Case)):
        if ids.get(target_type):
            for row in model.objects.filter(pk__in=ids[target_type]).select_related("task"):
                labels[(target_type, str(row.pk))] = task_label(row.task)
    return labels


def _department_sources(departments: frozenset[int], today: dt.date) -> list[_Source]:
    return [
        _confirm_source(departments),
        _claim_source(departments),
        _review_source(departments),
        _transfer_source(departments),
        _case_source(departments),
        _overdue_source(departments, today),
    ]


# --------------------------------------------------------------------------- the lead office

# The states in which a task may wait for a step of the lead office (core.taskflow).
_LEAD_STATES = (
    TaskState.PUBLISHED,
    TaskState.ANNOUNCED,
    TaskState.DRAWN,
    TaskState.CONFIRMED,
    TaskState.GROUPING,
    TaskState.MATCHED,
    TaskState.CHECKING,
    TaskState.ENTERING,
    TaskState.PUBLICISED,
    TaskState.DISPOSING,
)


def _led_tasks(departments: frozenset[int] | None) -> QuerySet[Task]:
    """The tasks the lead office organises: those its departments lead (every one for the
    platform administrator)."""
    tasks = Task.objects.all()
    return tasks if departments is None else tasks.filter(lead_department__in=departments)


def _with_progress(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate what the next step of the lead office depends on, in the same query."""
    attempts = DrawAttempt.objects.filter(task=OuterRef("pk"))
    officials = DrawOfficial.objects.filter(attempt__task=OuterRef("pk"))
    unclaimed = TaskDepartment.objects.filter(task=OuterRef("pk")).exclude(
        Exists(
            DepartmentClaim.objects.filter(
                attempt__task=OuterRef("task"),
                attempt__status=AttemptStatus.DRAWN,
                department=OuterRef("department"),
            )
        )
    )
    records = JointRecord.objects.filter(task=OuterRef("pk"), merged_into__isnull=True)
    return tasks.annotate(
        live=Exists(
            attempts.filter(
                status__in=(
                    AttemptStatus.REQUESTED,
                    AttemptStatus.COMMITTING,
                    AttemptStatus.ANNOUNCED,
                )
            )
        ),
        committing=Exists(attempts.filter(status=AttemptStatus.COMMITTING)),
        uncommitted=Exists(
            officials.filter(attempt__status=AttemptStatus.COMMITTING, commitment="")
        ),
        announced=Exists(attempts.filter(status=AttemptStatus.ANNOUNCED)),
        unrevealed=Exists(officials.filter(attempt__status=AttemptStatus.ANNOUNCED, secret="")),
        unclaimed=Exists(unclaimed),
        has_records=Exists(records),
        unsigned=Exists(JointRecord.objects.filter(task=OuterRef("pk"), signed_at__isnull=True)),
        unfinished=Exists(
            records.exclude(state=RecordState.APPROVED, lead_confirmed_at__isnull=False)
        ),
        open_cases=Exists(Case.objects.filter(task=OuterRef("pk")).exclude(state=CaseState.CLOSED)),
    )


def _draw_step(task: Any) -> str:
    """The lead office's next step of the draw, or "" while it waits for the officials."""
    if task.state == TaskState.PUBLISHED and not task.live:
        return "发起随机抽取并指定承诺官员"
    if task.state == TaskState.PUBLISHED and task.committing and not task.uncommitted:
        return "各承诺官员均已承诺，发布抽取公告"
    if task.state == TaskState.ANNOUNCED and task.announced and not task.unrevealed:
        return "各承诺官员均已公布秘密值，执行随机抽取"
    if task.state == TaskState.DRAWN:
        return "派发抽取名单到各参与部门"
    return ""


def _task_step(task: Any, today: dt.date) -> str:
    """The lead office's next move of the task after the draw, or "" while it waits."""
    state = task.state
    if state == TaskState.CONFIRMED:
        return "各部门均已确认，开始编组"
    if state == TaskState.GROUPING and not task.unclaimed:
        return "各部门均已认领，随机匹配检查组与检查对象"
    if state == TaskState.MATCHED:
        return "开始现场检查"
    if state == TaskState.CHECKING and task.window_end < today and not task.unsigned:
        return "检查期已结束，转入结果录入"
    if state == TaskState.ENTERING and task.has_records and not task.unfinished:
        return "记录表均已审核并确认，公示抽查结果"
    if state == TaskState.PUBLICISED:
        return "转入后续处置" if task.open_cases else "抽查结果已公示，办结任务"
    if state == TaskState.DISPOSING and not task.open_cases:
        return "后续处置均已办结，办结任务"
    return ""


def _lead_step_source(departments: frozenset[int] | None, today: dt.date) -> _Source:
    """Every task waiting for the lead office's next step."""
    rows = _with_progress(
        _led_tasks(departments).filter(state__in=_LEAD_STATES).order_by("window_start", "number")
    )

    def build(found: list[Task]) -> list[Todo]:
        _only_claims_with_objects([t for t in found if t.state == TaskState.GROUPING])
        waiting = []
        for t in found:
            step, url = _draw_step(t), "draws:draw_page"
            if not step:
                step, url = _task_step(t, today), "campaigns:task_detail"
            if step:
                waiting.append((t, step, url))
        deadlines = _lead_deadlines([t for t, _step, _url in waiting])
        return [
            Todo(step, task_label(t), reverse(url, args=[t.pk]), **_dated(deadlines.get(t.pk)))
            for t, step, url in waiting
        ]

    return _Source(rows, build, per_row=False)


def _only_claims_with_objects(grouping: list[Any]) -> None:
    """Mark a task in 编组中 as still waiting for claims only when a department with
    objects on the final list has not claimed: one without any has nothing to claim."""
    objects = _departments_with_objects(t.pk for t in grouping if t.unclaimed)
    claimed: dict[int, set[str]] = {}
    for task_id, name in DepartmentClaim.objects.filter(
        attempt__task__in=list(objects), attempt__status=AttemptStatus.DRAWN
    ).values_list("attempt__task", "department__name"):
        claimed.setdefault(task_id, set()).add(name)
    for t in grouping:
        if t.pk in objects:
            t.unclaimed = bool(objects[t.pk] - claimed.get(t.pk, set()))


def _lead_deadlines(tasks: list[Task]) -> dict[int, Deadline]:
    """The lead department's live limit on each task (results, disposal), one query."""
    found = Deadline.objects.filter(
        target_type=TASK_TARGET,
        target_id__in=[str(t.pk) for t in tasks],
        state__in=_LIVE,
        kind__in=(DeadlineKind.ENTER_RESULTS, DeadlineKind.DISPOSAL),
    ).order_by("-due_date")
    leads = {t.pk: t.lead_department_id for t in tasks}
    return {int(d.target_id): d for d in found if leads.get(int(d.target_id)) == d.department_id}


def _lead_confirm_source(departments: frozenset[int] | None) -> _Source:
    """Approved records the lead department has not confirmed, counted per task."""
    rows = (
        JointRecord.objects.filter(
            state=RecordState.APPROVED,
            lead_confirmed_at__isnull=True,
            task__in=_led_tasks(departments),
        )
        .values("task", "task__number", "task__name")
        .annotate(n=Count("pk"))
        .order_by("task__number")
    )

    def build(found: list[dict[str, Any]]) -> list[Todo]:
        return [
            Todo(
                what=f"确认已通过审核的联合检查记录表{row['n']}份",
                task=f"{row['task__number']} {row['task__name']}",
                url=reverse("inspections:field_home"),
            )
            for row in found
        ]

    return _Source(rows, build)


_STEP_NAMES = {
    DeadlineKind.CONFIRM_OBJECTS: "比对确认派发的检查对象",
    DeadlineKind.ENTER_RESULTS: "录入并公示抽查结果",
    DeadlineKind.DISPOSAL: "录入后续处置结果",
}


def _late_task_source(departments: frozenset[int] | None, today: dt.date) -> _Source:
    """Participating departments late on a step of a task the lead office organises
    (its own lateness is on its department's list)."""
    rows = (
        Deadline.objects.filter(
            target_type=TASK_TARGET, target_id__in=_ids_as_text(_led_tasks(departments))
        )
        .filter(_overdue(today))
        .select_related("department")
        .order_by("due_date", "pk")
    )
    if departments is not None:
        rows = rows.exclude(department__in=departments)

    def build(found: list[Deadline]) -> list[Todo]:
        labels = _target_task_labels(found)
        return [
            Todo(
                # a task's deadline is titled "<task number>：<step>"; the task is shown below
                what=f"{d.department.name}超期未完成："
                f"{_STEP_NAMES.get(d.kind) or d.title.split('：', 1)[-1]}",
                task=labels.get((d.target_type, d.target_id), ""),
                url=reverse("draws:objects", args=[d.target_id])
                if d.kind == DeadlineKind.CONFIRM_OBJECTS
                else d.target_url or reverse("campaigns:task_detail", args=[d.target_id]),
                **_dated(d),
            )
            for d in found
        ]

    def more(n: int) -> Todo:
        return Todo(f"另有{n}项部门超期", "", reverse("deadlines:dashboard") + "?state=overdue")

    return _Source(rows, build, more)


def _late_item_source(departments: frozenset[int] | None, today: dt.date) -> _Source:
    """Departments late on records or cases of the lead office's tasks, summed up per
    department and step (one line each, the oldest due date)."""
    rows = Deadline.objects.filter(target_type__in=(RECORD_TARGET, CASE_TARGET)).filter(
        _overdue(today)
    )
    if departments is not None:
        led = _led_tasks(departments)
        rows = rows.filter(
            Q(
                target_type=RECORD_TARGET,
                target_id__in=_ids_as_text(JointRecord.objects.filter(task__in=led)),
            )
            | Q(
                target_type=CASE_TARGET,
                target_id__in=_ids_as_text(Case.objects.filter(task__in=led)),
            )
        ).exclude(department__in=departments)
    rows = (
        rows.values("department__name", "kind")
        .annotate(n=Count("pk"), first=Min("due_date"))
        .order_by("first", "department__name", "kind")
    )

    def build(found: list[dict[str, Any]]) -> list[Todo]:
        return [
            Todo(
                what=f"{row['department__name']}有{row['n']}项“"
                f"{_STEP_NAMES.get(row['kind'], '办理事项')}”超期未完成",
                task="",
                url=reverse("deadlines:dashboard") + "?state=overdue",
                due=row["first"],
            )
            for row in found
        ]

    return _Source(rows, build)


def _lead_sources(departments: frozenset[int] | None, today: dt.date) -> list[_Source]:
    return [
        _lead_step_source(departments, today),
        _lead_confirm_source(departments),
        _late_task_source(departments, today),
        _late_item_source(departments, today),
    ]


# --------------------------------------------------------------------------- officials


def _official_source(user: User) -> _Source:
    """The commitment or the reveal a draw waits for from this official."""
    rows = (
        DrawOfficial.objects.filter(user=user)
        .filter(
            Q(attempt__status=AttemptStatus.COMMITTING, commitment="")
            | Q(attempt__status=AttemptStatus.ANNOUNCED, secret="")
        )
        .select_related("attempt__task")
        .order_by("attempt__task__number")
    )

    def build(found: list[DrawOfficial]) -> list[Todo]:
        return [
            Todo(
                what=f"作出第{o.attempt.number}次抽取的承诺"
                if o.attempt.status == AttemptStatus.COMMITTING
                else f"公布第{o.attempt.number}次抽取的秘密值",
                task=task_label(o.attempt.task),
                url=reverse("draws:draw_page", args=[o.attempt.task_id]),
            )
            for o in found
        ]

    return _Source(rows, build)


def _redraw_source(user: User) -> _Source:
    """Redraw requests that name this official to approve or refuse them."""
    rows = (
        DrawAttempt.objects.filter(status=AttemptStatus.REQUESTED, approved_by=user)
        .select_related("task")
        .order_by("created_at")
    )

    def build(found: list[DrawAttempt]) -> list[Todo]:
        return [
            Todo(
                what=f"审批重新抽取申请（第{a.number}次抽取）：{a.redraw_reason}",
                task=task_label(a.task),
                url=reverse("draws:draw_page", args=[a.task_id]),
            )
            for a in found
        ]

    return _Source(rows, build)


# --------------------------------------------------------------------------- inspectors


def _inspector_todos(user: User, today: dt.date) -> list[Todo]:
    """An inspector's records from the field lists, each linked to it on 现场检查."""
    lists = field_records_for_inspector(user, today=today)
    groups: list[tuple[str, list[JointRecord], Callable[[JointRecord], dt.date | None]]] = [
        ("修改退回的记录表并重新提交", lists.returned, lambda r: r.task.window_end),
        ("完成逾期的现场检查", lists.overdue, lambda r: r.planned_on or r.task.window_end),
        ("今天现场检查", lists.today, lambda r: r.planned_on),
        ("本周现场检查", lists.week, lambda r: r.planned_on),
        ("安排检查日期并现场检查", lists.unscheduled, lambda r: r.task.window_end),
    ]
    return [
        Todo(
            what=f"{what}：{r.entity.name}",
            task=task_label(r.task),
            url=reverse("inspections:field_record", args=[r.pk]),
            due=due(r),
        )
        for what, records, due in groups
        for r in records
    ]


# --------------------------------------------------------------------------- the auditor

_AUDITED = {
    events.DRAW_REDRAW_REQUESTED: "查看重新抽取申请",
    events.RECORD_CORRECTED: "查看检查结果的更正",
}


def _auditor_source(today: dt.date) -> _Source:
    """Redraw requests and corrections of signed records of the last ``AUDIT_DAYS`` days."""
    since = dt.datetime.combine(
        today - dt.timedelta(days=AUDIT_DAYS), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    rows = AuditEvent.objects.filter(event_type__in=list(_AUDITED), created_at__gte=since).order_by(
        "-seq"
    )

    def build(found: list[AuditEvent]) -> list[Todo]:
        records = {
            str(r.pk): task_label(r.task)
            for r in JointRecord.objects.filter(
                pk__in=[e.target_id for e in found if e.target_type == RECORD_TARGET]
            ).select_related("task")
        }
        return [
            Todo(
                what=f"{_AUDITED[e.event_type]}：{e.actor_label or '系统'}，"
                f"{timezone.localtime(e.created_at):%Y-%m-%d %H:%M}",
                task=records.get(e.target_id, "")
                if e.target_type == RECORD_TARGET
                else e.target_label,
                url=reverse("audit:event_detail", args=[e.seq]),
            )
            for e in found
        ]

    def more(n: int) -> Todo:
        return Todo(f"另有{n}条近{AUDIT_DAYS}天的记录", "", reverse("audit:event_list"))

    return _Source(rows, build, more)


# --------------------------------------------------------------------------- the list


def _sources(user: User, today: dt.date) -> list[_Source]:
    """The kinds of item waiting for this user, by what the role does."""
    sources = [_official_source(user), _redraw_source(user)]
    writable = writable_department_ids(user)
    if access_department_for_administering(user) and writable:
        sources += _department_sources(writable, today)
    if access_tasks_for_organising(user):
        sources += _lead_sources(writable, today)
    if access_audit_for_reading(user) and not access_department_for_administering(user):
        sources.append(_auditor_source(today))
    return sources


def todos_for_user(user: User, *, today: dt.date) -> list[Todo]:
    """Everything waiting for the user, most urgent first (see the module)."""
    if not user.is_authenticated or not user.is_active:
        return []
    found = [todo for source in _sources(user, today) for todo in source.todos()]
    if access_records_for_inspecting(user):
        found += _inspector_todos(user, today)
    return _with_lateness(found, today)


def todo_count_for_user(user: User, *, today: dt.date) -> int:
    """How many items ``todos_for_user`` holds, counted in SQL where a row is an item."""
    if not user.is_authenticated or not user.is_active:
        return 0
    count = sum(source.count() for source in _sources(user, today))
    if access_records_for_inspecting(user):
        count += len(_inspector_todos(user, today))
    return count


def _with_lateness(todos: list[Todo], today: dt.date) -> list[Todo]:
    """Add how late each item is (working days) and its urgency; most urgent first."""
    week_end = today + dt.timedelta(days=6 - today.weekday())
    calendar = estimate_calendar(through_year=today.year) if any(t.due for t in todos) else None
    dated = []
    for todo in todos:
        if todo.due is None or calendar is None:
            dated.append(todo)
            continue
        if todo.due < today:
            urgency = OVERDUE
        elif todo.due == today:
            urgency = TODAY
        else:
            urgency = WEEK if todo.due <= week_end else LATER
        dated.append(
            replace(todo, days_left=_working_days(calendar, today, todo.due), urgency=urgency)
        )
    order = list(URGENCY_LABELS)
    return sorted(dated, key=lambda t: (order.index(t.urgency), t.due is None, t.due or today))


def _working_days(calendar: WorkCalendar, today: dt.date, due: dt.date) -> int:
    """Working days from today to ``due`` (negative when past); Monday to Friday for a
    year the calendar table does not reach."""
    try:
        return calendar.working_days_between(today, due)
    except YearNotConfirmedError:
        step = 1 if due >= today else -1
        days = (today + dt.timedelta(days=step * n) for n in range(1, abs((due - today).days) + 1))
        return step * sum(1 for d in days if d.weekday() < 5)


def todos_by_urgency(todos: list[Todo]) -> list[tuple[str, list[Todo]]]:
    """The items in the home page's groups: 已超期, 今天到期, 本周, 其他 (none if empty)."""
    return [
        (label, [t for t in todos if t.urgency == urgency])
        for urgency, label in URGENCY_LABELS.items()
        if any(t.urgency == urgency for t in todos)
    ]
