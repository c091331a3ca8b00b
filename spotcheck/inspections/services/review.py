"""Writes of the review: each department approves or returns its items of a signed record,
and the lead department confirms the approved record as a whole.

What an approval sets off in other contexts (the results published, the follow-up cases
opened) is the business of ``spotcheck.workflow.records``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import DepartmentReview, JointRecord
from spotcheck.inspections.selectors.review import (
    current_reviews,
    lead_can_confirm,
    review_departments,
)
from spotcheck.inspections.services.base import lock_record, state_move


@transaction.atomic
def record_review(
    *,
    actor: User,
    record: JointRecord,
    decision: str,
    comment: str = "",
    resign_required: bool = False,
) -> list[DepartmentReview]:
    """A department admin approves or returns its department's items of a submitted record.

    A return may ask for the enterprise to sign again (``resign_required``): the correction
    that resubmits the record is then refused until it has.
    """
    record = lock_record(record)
    todo = _departments_to_review(actor, record, decision, comment, resign_required)
    now = timezone.now()
    rows = []
    for department_id in todo:
        review = DepartmentReview(
            record=record,
            department_id=department_id,
            review_round=record.review_round,
            decision=decision,
            comment=comment.strip(),
            resign_required=resign_required,
            reviewed_by=actor,
            reviewed_at=now,
        )
        review.full_clean()
        review.save()
        rows.append(review)
    _move_after_review(record, decision)
    audit_record(
        actor=actor,
        event_type=events.RECORD_REVIEWED,
        target=record,
        data={
            "decision": decision,
            "comment": comment.strip(),
            "resign_required": resign_required,
            "departments": todo,
            "round": record.review_round,
            "state": record.state,
        },
    )
    return rows


def _departments_to_review(
    actor: User, record: JointRecord, decision: str, comment: str, resign_required: bool
) -> list[int]:
    """Check the review asked for; return the actor's departments not yet reviewed this round."""
    departments = review_departments(actor, record)
    if not departments:
        raise PermissionDenied("本记录表没有需要您所在部门审核的事项")
    if record.state != RecordState.SUBMITTED:
        raise ValidationError("只有待审核的记录表可以审核")
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": "请选择通过或退回"})
    if decision == ReviewDecision.RETURNED and not comment.strip():
        raise ValidationError({"comment": "退回须写明审核意见，告知检查人员如何修改"})
    if resign_required and decision != ReviewDecision.RETURNED:
        raise ValidationError({"resign_required": "只有退回时才能要求检查对象重新签字"})
    done = current_reviews(record)
    todo = [d for d in departments if d not in done]
    if not todo:
        raise ValidationError("本轮已审核，无需重复审核")
    return todo


def _move_after_review(record: JointRecord, decision: str) -> None:
    """A return sends the record back; it is 已通过 once every department with items has
    approved it this round. The state is saved either way."""
    if decision == ReviewDecision.RETURNED:
        state_move(record, RecordState.RETURNED)
    else:
        needed = {i.department_id for i in record.items.all()}
        approved = {
            d for d, r in current_reviews(record).items() if r.decision == ReviewDecision.APPROVED
        }
        if needed <= approved:
            state_move(record, RecordState.APPROVED)
    record.save(update_fields=["state", "updated_at"])


@transaction.atomic
def record_lead_confirm(*, actor: User, record: JointRecord) -> JointRecord:
    """The lead department confirms the approved joint record as a whole."""
    record = lock_record(record)
    if record.lead_confirmed_at is not None:
        raise ValidationError("牵头部门已确认本记录表，无需重复确认")
    if record.state != RecordState.APPROVED:
        raise ValidationError("各部门审核通过后，牵头部门才能确认")
    if not lead_can_confirm(actor, record):
        raise PermissionDenied("只有牵头部门可以确认联合检查记录表")
    record.lead_confirmed_at = timezone.now()
    record.lead_confirmed_by = actor
    record.full_clean()
    record.save(update_fields=["lead_confirmed_at", "lead_confirmed_by", "updated_at"])
    audit_record(actor=actor, event_type=events.RECORD_LEAD_CONFIRMED, target=record)
    return record
