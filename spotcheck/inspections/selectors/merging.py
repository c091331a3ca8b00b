"""Merged visits: one enterprise drawn by two tasks in overlapping check windows.

The platform proposes visiting the enterprise once ("进一次门、查多项事", seed plan
§五(三)): the later task's record is folded into the earlier task's record, whose group
carries both tasks' items on the same visit.  The lead office of either task accepts
or refuses; both are recorded (``VisitMerge``) and audited, and a refused proposal does
not come back.  Each accepted merge saves one visit; the statistics read them from
``JointRecord.merged_into``.

The decisions themselves are written by ``spotcheck.inspections.services.merging``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from spotcheck.accounts.models import User
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.inspections.choices import MergeOutcome, RecordState
from spotcheck.inspections.models import JointRecord, VisitMerge
from spotcheck.inspections.selectors.records import joint_record_list_for_user


@dataclass(frozen=True)
class MergeProposal:
    """Visit ``record``'s enterprise together with ``into``'s visit."""

    record: JointRecord
    into: JointRecord
    overlap_start: dt.date
    overlap_end: dt.date

    @property
    def key(self) -> str:
        return f"{self.record.pk}-{self.into.pk}"


def window_overlap(a: JointRecord, b: JointRecord) -> tuple[dt.date, dt.date] | None:
    """The days both records' check windows share, or None."""
    start = max(a.task.window_start, b.task.window_start)
    end = min(a.task.window_end, b.task.window_end)
    return (start, end) if start <= end else None


def _order(record: JointRecord) -> tuple[dt.date, int, int]:
    """Earlier visits first: by window start, then task, then record."""
    return (record.task.window_start, record.task_id, record.pk)


def _candidates() -> QuerySet[JointRecord]:
    """Records whose visit has not happened and is not folded into another."""
    shared = (
        JointRecord.objects.filter(merged_into__isnull=True, state=RecordState.PENDING)
        .values("entity")
        .annotate(tasks=Count("task", distinct=True))
        .filter(tasks__gt=1)
        .values("entity")
    )
    return JointRecord.objects.filter(
        entity__in=shared, merged_into__isnull=True, state=RecordState.PENDING
    ).select_related("task", "entity", "group")


def merge_proposals() -> list[MergeProposal]:
    """Every open proposal: each later record into the earliest overlapping visit it may join."""
    records = list(_candidates())
    refused = set(
        VisitMerge.objects.filter(outcome=MergeOutcome.REFUSED).values_list("record", "into")
    )
    hosts = set(
        JointRecord.objects.filter(merged_into__isnull=False).values_list("merged_into", flat=True)
    )
    by_entity: dict[int, list[JointRecord]] = defaultdict(list)
    for record in records:
        by_entity[record.entity_id].append(record)
    proposals: list[MergeProposal] = []
    for group in by_entity.values():
        group.sort(key=_order)
        for i, record in enumerate(group):
            if record.pk in hosts:
                continue  # others already ride on this visit; it stays a visit of its own
            for into in group[:i]:
                window = window_overlap(record, into)
                if into.task_id == record.task_id or window is None:
                    continue
                if (record.pk, into.pk) in refused:
                    continue
                proposals.append(MergeProposal(record, into, *window))
                break
    return proposals


def merge_proposals_for_user(user: User) -> list[MergeProposal]:
    """The open proposals that concern the user: they may read either record."""
    readable = set(joint_record_list_for_user(user).values_list("pk", flat=True))
    return [p for p in merge_proposals() if p.record.pk in readable or p.into.pk in readable]


def merge_decisions_for_user(user: User) -> QuerySet[VisitMerge]:
    """Past decisions on proposals that concern the user, newest first."""
    readable = joint_record_list_for_user(user).values("pk")
    return VisitMerge.objects.filter(Q(record__in=readable) | Q(into__in=readable)).select_related(
        "record__task", "record__entity", "into__task", "decided_by"
    )


def visits_saved_for_user(user: User) -> int:
    """How many visits were saved by merging, among the records the user may read."""
    return joint_record_list_for_user(user).filter(merged_into__isnull=False).count()


def merge_can_decide(user: User, record: JointRecord, into: JointRecord) -> bool:
    """The lead office of either task (or the platform admin) decides."""
    return task_can_organise(user, record.task) or task_can_organise(user, into.task)
