"""Writes of the decisions on merged visits: fold one record's visit into another's, or keep
both with a reason. The proposals are read by ``spotcheck.inspections.selectors.merging``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.inspections.choices import MergeOutcome, RecordState
from spotcheck.inspections.models import JointRecord, VisitMerge
from spotcheck.inspections.selectors.merging import merge_can_decide, window_overlap


def _locked_pair(record: JointRecord, into: JointRecord) -> tuple[JointRecord, JointRecord]:
    """Both records again, locked in the order of their ids."""
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
    if window_overlap(record, into) is None:
        raise ValidationError("两个任务的检查日期没有重叠，不能合并检查")
    for r in (record, into):
        if r.state != RecordState.PENDING:
            raise ValidationError(f"记录表 {r.number} 已开始录入检查结果，不能再合并检查")
    if VisitMerge.objects.filter(record=record, into=into).exists():
        raise ValidationError("该合并建议已处理，无需重复操作")


def _require_decider(actor: User, record: JointRecord, into: JointRecord) -> None:
    """Refuse anyone but the lead office of either task (or the platform admin)."""
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
