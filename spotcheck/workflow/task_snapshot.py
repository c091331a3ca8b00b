"""Read what the task's guards need from every context a task touches, in a few queries.

``task_snapshot(task, step)`` returns the ``spotcheck.core.taskguards.TaskSnapshot`` of
the parts that step reads: the task's terms for 发布任务, its draw attempts for 撤回为草稿,
its records and groups for 开始检查, its records with their publications for 结果公示,
its follow-up cases for 办结.  Each part is one to three queries whatever the number of
records; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from spotcheck.campaigns.models import Task
from spotcheck.core import taskflow
from spotcheck.core.taskguards import (
    CaseFacts,
    GroupFacts,
    ParticipantFacts,
    RecordFacts,
    TaskSnapshot,
)
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt
from spotcheck.followup.choices import CaseState
from spotcheck.followup.models import Case
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem
from spotcheck.publicity.models import ResultPublication

TERMS = "terms"
ATTEMPTS = "attempts"
RECORDS = "records"
GROUPS = "groups"
PUBLICATIONS = "publications"
CASES = "cases"

# the parts of the snapshot each step's guard reads
PARTS: dict[str, frozenset[str]] = {
    taskflow.PUBLISH: frozenset({TERMS}),
    taskflow.WITHDRAW: frozenset({ATTEMPTS}),
    taskflow.START_CHECKING: frozenset({RECORDS, GROUPS}),
    taskflow.FINISH_CHECKING: frozenset({RECORDS}),
    taskflow.PUBLICISE: frozenset({RECORDS, PUBLICATIONS}),
    taskflow.DISPOSE: frozenset({CASES}),
    taskflow.CLOSE: frozenset({CASES}),
}

_RATIO_NAMES = {"A": "A类", "B": "B类", "C": "C类", "D": "D类", "U": "未分类"}
_OPEN_ATTEMPTS = (AttemptStatus.COMMITTING, AttemptStatus.REQUESTED)


def _participants(task: Task) -> tuple[ParticipantFacts, ...]:
    rows = task.participants.select_related("department").prefetch_related("items")
    return tuple(
        ParticipantFacts(
            department=p.department.name,
            items=tuple(i.name for i in p.items.all()),
            department_active=p.department.is_active,
            inactive_items=tuple(i.name for i in p.items.all() if not i.is_active),
        )
        for p in rows
    )


def _terms(task: Task) -> dict[str, object]:
    return {
        "lead_department": task.lead_department.name,
        "participants": _participants(task),
        "scope_region": task.scope_region.name if task.scope_region_id else "",
        "ratios": tuple((_RATIO_NAMES[k], r) for k, r in task.ratios().items() if r is not None),
        "floor_ratio": task.floor_ratio,
        "window_start": task.window_start,
        "window_end": task.window_end,
    }


def _attempts(task: Task) -> dict[str, object]:
    rows = list(
        DrawAttempt.objects.filter(task=task)
        .order_by("number")
        .values_list("number", "status", "announced_at")
    )
    return {
        "announced_attempts": tuple(f"第{n}次" for n, _, at in rows if at is not None),
        "open_attempts": tuple(f"第{n}次" for n, status, _ in rows if status in _OPEN_ATTEMPTS),
    }


def _records(task: Task, with_publications: bool) -> tuple[RecordFacts, ...]:
    departments: dict[int, list[str]] = defaultdict(list)
    for record_id, name in (
        RecordItem.objects.filter(record__task=task)
        .order_by("record_id", "department__path")
        .values_list("record_id", "department__name")
        .distinct()
    ):
        departments[record_id].append(name)
    published: dict[int, set[str]] = defaultdict(set)
    if with_publications:
        for record_id, name in ResultPublication.objects.filter(
            task=task, is_current=True
        ).values_list("record_id", "department__name"):
            published[record_id].add(name)
    rows = (
        JointRecord.objects.filter(task=task)
        .order_by("number")
        .values_list("pk", "number", "entity__name", "state", "signed_at", "group__number")
    )
    return tuple(
        RecordFacts(
            number=number,
            entity=entity,
            state=state,
            signed=signed_at is not None,
            group=group,
            departments=tuple(departments[pk]),
            published=frozenset(published[pk]),
        )
        for pk, number, entity, state, signed_at, group in rows
    )


def _groups(task: Task) -> tuple[GroupFacts, ...]:
    members: dict[int, list[tuple[bool, str]]] = defaultdict(list)
    for number, leader, department in GroupMember.objects.filter(group__task=task).values_list(
        "group__number", "is_leader", "department__name"
    ):
        members[number].append((leader, department))
    numbers = InspectionGroup.objects.filter(task=task).order_by("number")
    return tuple(
        GroupFacts(
            number=n,
            members=len(members[n]),
            leaders=sum(1 for leader, _ in members[n] if leader),
            departments=frozenset(d for _, d in members[n]),
        )
        for n in numbers.values_list("number", flat=True)
    )


def _cases(task: Task) -> tuple[CaseFacts, ...]:
    rows = (
        Case.objects.filter(task=task)
        .order_by("number")
        .values_list(
            "number", "entity__name", "state", "department__name", "transfer_to__name", "holders"
        )
    )
    return tuple(
        CaseFacts(
            number=number,
            entity=entity,
            state=state,
            holder=holder,
            transfer_to=transfer_to or "",
            # a case opens with its finding department; an accepted transfer appends one
            accepted_transfer=state == CaseState.OPEN and len(holders) > 1,
        )
        for number, entity, state, holder, transfer_to, holders in rows
    )


def task_snapshot(task: Task, step: str, *, today: dt.date | None = None) -> TaskSnapshot:
    """The facts ``step``'s guard reads about ``task`` (as it is in the database now)."""
    parts = PARTS[step]
    values: dict[str, object] = {}
    if TERMS in parts:
        values.update(_terms(task))
    if ATTEMPTS in parts:
        values.update(_attempts(task))
    if RECORDS in parts:
        values["records"] = _records(task, PUBLICATIONS in parts)
    if GROUPS in parts:
        values["groups"] = _groups(task)
    if CASES in parts:
        values["cases"] = _cases(task)
    return TaskSnapshot(
        state=task.state,
        today=today or timezone.localdate(),
        **values,  # type: ignore[arg-type]
    )
