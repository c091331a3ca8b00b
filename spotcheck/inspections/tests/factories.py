"""Build a matched task and its 一企一表 records directly, without running a draw.

For tests of what happens after matching (field work, review, publication,
follow-up); the draw and the matching themselves are tested through their services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import plan_create, task_create
from spotcheck.catalogue.models import InspectionItem
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem
from spotcheck.testing.personas import Departments, Regions


def make_task(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    participants: Sequence[tuple[Department, Sequence[InspectionItem]]],
    *,
    number: str = "晋州市政府办抽查〔2026〕10号",
    state: str = TaskState.MATCHED,
) -> Task:
    """Create a joint task through the services, then put it in ``state`` directly."""
    plan = plan_create(
        actor=lead_admin,
        year=2026,
        name="2026年度联合抽查计划",
        number=f"计划-{number}",
        department=departments.lead_office,
    )
    task = task_create(
        actor=lead_admin,
        values={
            "plan": plan,
            "number": number,
            "name": "第十次联合抽查",
            "lead_department": departments.lead_office,
            "scope_region": regions.county,
            "ratio_a": Decimal("3"),
            "ratio_b": Decimal("3"),
            "ratio_c": Decimal("5"),
            "ratio_d": Decimal("10"),
            "floor_ratio": Decimal("3"),
            "window_start": dt.date(2026, 3, 1),
            "window_end": dt.date(2026, 7, 30),
        },
        participants=[(d, list(items)) for d, items in participants],
    )
    Task.objects.filter(pk=task.pk).update(state=state)
    task.refresh_from_db()
    return task


def make_group(task: Task, members: Sequence[Inspector], *, number: int = 1) -> InspectionGroup:
    """A group of ``members``; the first one leads."""
    group = InspectionGroup.objects.create(task=task, number=number)
    for i, inspector in enumerate(members):
        GroupMember.objects.create(
            group=group, inspector=inspector, department=inspector.department, is_leader=i == 0
        )
    return group


def make_record(
    task: Task,
    entity: Entity,
    group: InspectionGroup | None,
    items: Sequence[InspectionItem],
    *,
    number: str = "",
) -> JointRecord:
    """One 一企一表 of ``entity`` with one row per item (its department's)."""
    seq = JointRecord.objects.filter(task=task).count() + 1
    record = JointRecord.objects.create(
        task=task, entity=entity, group=group, number=number or f"{task.number}-{seq:04d}"
    )
    for item in items:
        RecordItem.objects.create(record=record, department=item.department, item=item)
    return record
