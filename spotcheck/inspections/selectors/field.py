"""Reads of the field work on the phone: an inspector's records and the result rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import User
from spotcheck.catalogue.models import ResultCode
from spotcheck.core.results import Code, ResultRules
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.records import joint_record_list_for_user


def result_rules() -> ResultRules:
    """The national result code table as core rules."""
    return ResultRules(
        Code(
            code=c.code,
            label=c.label,
            parent=c.parent.code if c.parent_id else None,
            exclusive=c.exclusive,
            requires_child=c.requires_child,
            terminal=c.terminal,
        )
        for c in ResultCode.objects.select_related("parent").order_by("sort", "code")
    )


def result_rules_data() -> list[dict[str, Any]]:
    """The national result code table as plain data, for the phone's own checks."""
    return [
        {
            "code": c.code,
            "label": c.label,
            "parent": c.parent.code if c.parent_id else None,
            "exclusive": c.exclusive,
            "requires_child": c.requires_child,
            "terminal": c.terminal,
        }
        for c in ResultCode.objects.select_related("parent").order_by("sort", "code")
    ]


@dataclass(frozen=True)
class TaskLists:
    today: list[JointRecord]
    week: list[JointRecord]
    overdue: list[JointRecord]
    unscheduled: list[JointRecord]
    done: list[JointRecord]
    returned: list[JointRecord]


def field_records_for_inspector(user: User, *, today: dt.date | None = None) -> TaskLists:
    """An inspector's records: returned, today, this week, overdue, not yet scheduled, done.

    Only an inspector has field work; other roles get empty lists. ``today`` defaults to
    today in Beijing time.
    """
    if not access_records_for_inspecting(user):
        return TaskLists([], [], [], [], [], [])
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    records = list(
        joint_record_list_for_user(user)
        .filter(merged_into__isnull=True)
        .select_related("task", "entity")
        .order_by("planned_on", "number")
    )
    lists = TaskLists([], [], [], [], [], [])
    for r in records:
        if r.state == RecordState.RETURNED:
            lists.returned.append(r)
        elif r.state in (RecordState.SUBMITTED, RecordState.APPROVED):
            lists.done.append(r)
        elif (r.planned_on and r.planned_on < today) or r.task.window_end < today:
            lists.overdue.append(r)
        elif r.planned_on == today:
            lists.today.append(r)
        elif r.planned_on and r.planned_on <= week_end:
            lists.week.append(r)
        else:
            lists.unscheduled.append(r)
    return lists
