"""Reads behind a department's inbox (待办任务) and the lead office's task board.

A department's inbox lists the tasks waiting for it, step by step (seed plan §四):
compare and confirm the dispatched objects (2 working days), claim the objects and
draw its inspectors, then enter and review its items of the 一企一表 records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord, RecordItem

TASK_TARGET = "campaigns.task"

# Tasks in these states wait for each department to claim its objects and draw inspectors.
_CLAIM_STATES = (TaskState.CONFIRMED, TaskState.GROUPING)
# Tasks in these states wait for the inspectors' entries and the admins' review.
_FIELD_STATES = (TaskState.MATCHED, TaskState.CHECKING, TaskState.ENTERING)


@dataclass
class InboxTask:
    """One task waiting for the user's department(s), with what it waits for."""

    task: Task
    departments: list[str] = field(default_factory=list)
    to_confirm: bool = False
    to_claim: bool = False
    records: int = 0
    to_enter: int = 0
    to_review: int = 0
    overdue: list[Deadline] = field(default_factory=list)
    due: list[Deadline] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return bool(
            self.to_confirm or self.to_claim or self.to_enter or self.to_review or self.overdue
        )


@dataclass
class Inbox:
    tasks: list[InboxTask]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "tasks": len(self.tasks),
            "to_confirm": sum(1 for t in self.tasks if t.to_confirm),
            "to_claim": sum(1 for t in self.tasks if t.to_claim),
            "to_enter": sum(t.to_enter for t in self.tasks),
            "to_review": sum(t.to_review for t in self.tasks),
            "overdue": sum(len(t.overdue) for t in self.tasks),
        }


def inbox_can_open(user: User) -> bool:
    """Department admins, the lead office and the platform admin have an inbox."""
    allowed = writable_department_ids(user)
    return allowed is None or bool(allowed)


def inbox_for_user(user: User) -> Inbox:
    """Return the tasks waiting for the user's department subtree (every one for the platform)."""
    allowed = writable_department_ids(user)
    if allowed is not None and not allowed:
        return Inbox([])
    roles = TaskDepartment.objects.select_related("task", "department").exclude(
        task__state__in=(TaskState.DRAFT, TaskState.CLOSED)
    )
    if allowed is not None:
        roles = roles.filter(department__in=allowed)
    by_task: dict[int, InboxTask] = {}
    for role in roles.order_by("task__window_start", "task__number", "department__path"):
        entry = by_task.setdefault(role.task_id, InboxTask(role.task))
        entry.departments.append(role.department.name)
        state = role.task.state
        entry.to_confirm |= state == TaskState.CONFIRMING and role.confirmed_at is None
        entry.to_claim |= state in _CLAIM_STATES
    _add_record_counts(by_task, allowed)
    _add_deadlines(by_task, allowed)
    return Inbox([t for t in by_task.values() if t.waiting or t.records])


def _add_record_counts(by_task: dict[int, InboxTask], allowed: frozenset[int] | None) -> None:
    items = RecordItem.objects.filter(record__task__in=list(by_task))
    if allowed is not None:
        items = items.filter(department__in=allowed)
    rows = items.values("record__task").annotate(
        records=Count("record", distinct=True),
        to_enter=Count(
            "record",
            distinct=True,
            filter=Q(entered_at__isnull=True, record__task__state__in=_FIELD_STATES)
            & Q(record__merged_into__isnull=True),
        ),
        to_review=Count("record", distinct=True, filter=Q(record__state=RecordState.SUBMITTED)),
    )
    for row in rows:
        entry = by_task[row["record__task"]]
        entry.records = row["records"]
        entry.to_enter = row["to_enter"]
        entry.to_review = row["to_review"]


def _add_deadlines(by_task: dict[int, InboxTask], allowed: frozenset[int] | None) -> None:
    deadlines = Deadline.objects.filter(
        target_type=TASK_TARGET,
        target_id__in=[str(pk) for pk in by_task],
        state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE),
    ).select_related("department")
    if allowed is not None:
        deadlines = deadlines.filter(department__in=allowed)
    for deadline in deadlines.order_by("due_date", "id"):
        entry = by_task[int(deadline.target_id)]
        if deadline.state == DeadlineState.OVERDUE:
            entry.overdue.append(deadline)
        else:
            entry.due.append(deadline)


@dataclass
class BoardFigures:
    """What the task board shows beside a task's state."""

    confirmed: int = 0
    participants: int = 0
    records: int = 0
    merged: int = 0
    to_review: int = 0
    overdue: list[Deadline] = field(default_factory=list)


def board_figures(tasks: Iterable[Task]) -> dict[int, BoardFigures]:
    """Return the counts and overdue steps of the listed tasks, in a few queries."""
    ids = [t.pk for t in tasks]
    figures: dict[int, BoardFigures] = defaultdict(BoardFigures)
    for row in (
        TaskDepartment.objects.filter(task__in=ids)
        .values("task")
        .annotate(n=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
    ):
        figures[row["task"]].participants = row["n"]
        figures[row["task"]].confirmed = row["confirmed"]
    for row in (
        JointRecord.objects.filter(task__in=ids)
        .values("task")
        .annotate(
            n=Count("id"),
            merged=Count("id", filter=Q(merged_into__isnull=False)),
            to_review=Count("id", filter=Q(state=RecordState.SUBMITTED)),
        )
    ):
        figures[row["task"]].records = row["n"]
        figures[row["task"]].merged = row["merged"]
        figures[row["task"]].to_review = row["to_review"]
    for deadline in (
        Deadline.objects.filter(
            target_type=TASK_TARGET,
            target_id__in=[str(pk) for pk in ids],
            state=DeadlineState.OVERDUE,
        )
        .select_related("department")
        .order_by("due_date", "id")
    ):
        figures[int(deadline.target_id)].overdue.append(deadline)
    return {pk: figures[pk] for pk in ids}
