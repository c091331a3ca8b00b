"""Merged visits: one enterprise drawn by two tasks in overlapping check windows.

The platform proposes visiting the enterprise once ("进一次门、查多项事", seed plan
§五(三)): the later task's record is folded into the earlier task's record, whose group
carries both tasks' items on the same visit.  The lead office of either task accepts
or refuses; both are recorded (``VisitMerge``) and audited, and a refused proposal does
not come back.  Each accepted merge saves one visit; the statistics read them from
``JointRecord.merged_into``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.inspections.choices import MergeOutcome, RecordState
from spotcheck.inspections.models import JointRecord, VisitMerge
from spotcheck.inspections.selectors import joint_record_list_for_user


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


def _overlap(a: JointRecord, b: JointRecord) -> tuple[dt.date, dt.date] | None:
    start = max(a.task.window_start, b.task.window_start)
    end = min(a.task.window_end, b.task.window_end)
    return (start, end) if start <= end else None


def _order(record: JointRecord) -> tuple[dt.date, int, int]:
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
                window = _overlap(record, into)
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


def _locked_pair(record: JointRecord, into: JointRecord) -> tuple[JointRecord, JointRecord]:
    if record.pk == into.pk:
        raise ValidationError("合并检查须是两份不同的记录表")
    locked = {
        r.pk: r
        for r in JointRecord.objects.select_for_update(of=("self",))
        .select_related("task")
        .filter(pk__in=[record.pk, into.pk])
        .order_by("pk")
    }
    return locked[record.pk], locked[into.pk]


def _check_pair(record: JointRecord, into: JointRecord) -> None:
    """Refuse, in Chinese, a pair the platform would not propose now."""
    if record.entity_id != into.entity_id:
        raise ValidationError("两份记录表的检查对象不同，不能合并检查")
    if record.task_id == into.task_id:
        raise ValidationError("同一任务的记录表不能合并检查")
    if record.merged_into_id is not None:
        raise ValidationError(f"记录表 {record.number} 已合并检查，无需重复操作")
    if into.merged_into_id is not None:
        raise ValidationError(f"记录表 {into.number} 已并入其他上门检查，不能再作为合并对象")
    if JointRecord.objects.filter(merged_into=record).exists():
        raise ValidationError(f"已有记录表并入 {record.number}，它须保留自己的上门检查")
    if _overlap(record, into) is None:
        raise ValidationError("两个任务的检查日期没有重叠，不能合并检查")
    for r in (record, into):
        if r.state != RecordState.PENDING:
            raise ValidationError(f"记录表 {r.number} 已开始录入检查结果，不能再合并检查")
    if VisitMerge.objects.filter(record=record, into=into).exists():
        raise ValidationError("该合并建议已处理，无需重复操作")


def _require_decider(actor: User, record: JointRecord, into: JointRecord) -> None:
    if not merge_can_decide(actor, record, into):
        raise PermissionDenied("只有两个任务的牵头单位可以决定是否合并检查")


@transaction.atomic
def visit_merge_accept(
    *, actor: User, record: JointRecord, into: JointRecord, reason: str = ""
) -> VisitMerge:
    """Fold ``record``'s visit into ``into``'s: one visit checks both tasks' items."""
    record, into = _locked_pair(record, into)
    _require_decider(actor, record, into)
    _check_pair(record, into)
    record.merged_into = into
    record.full_clean()
    record.save(update_fields=["merged_into", "updated_at"])
    decision = VisitMerge(
        record=record,
        into=into,
        outcome=MergeOutcome.ACCEPTED,
        reason=reason.strip(),
        decided_by=actor,
    )
    decision.full_clean()
    decision.save()
    audit_record(
        actor=actor,
        event_type=events.VISIT_MERGED,
        target=record,
        data={
            "record": record.number,
            "into": into.number,
            "task": record.task.number,
            "into_task": into.task.number,
            "entity": record.entity_id,
            "reason": decision.reason,
            "visits_saved": 1,
        },
    )
    return decision


@transaction.atomic
def visit_merge_refuse(
    *, actor: User, record: JointRecord, into: JointRecord, reason: str
) -> VisitMerge:
    """Keep both visits; the refusal and its reason are recorded."""
    record, into = _locked_pair(record, into)
    _require_decider(actor, record, into)
    if not reason.strip():
        raise ValidationError({"reason": "不合并检查须写明理由"})
    _check_pair(record, into)
    decision = VisitMerge(
        record=record,
        into=into,
        outcome=MergeOutcome.REFUSED,
        reason=reason.strip(),
        decided_by=actor,
    )
    decision.full_clean()
    decision.save()
    audit_record(
        actor=actor,
        event_type=events.VISIT_MERGE_REFUSED,
        target=record,
        data={"record": record.number, "into": into.number, "reason": decision.reason},
    )
    return decision
