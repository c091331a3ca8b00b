"""Build a matched task's groups and 一企一表 records directly, without running a draw.

For tests of what happens after matching (field work, review, publication,
follow-up); the task comes from ``spotcheck.campaigns.tests.factories.make_task``, and
the draw and the matching themselves are tested through their services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem


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


@dataclass(frozen=True)
class Matched:
    task: Task
    group: InspectionGroup
    jia: JointRecord
    yi: JointRecord
    lead_item: InspectionItem
    market_item: InspectionItem
    police_item: InspectionItem
