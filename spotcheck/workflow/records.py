"""The review of a joint record as a business step: an approval that makes the record final
publishes its results (一公开), opens the follow-up cases (后续处置) and issues the
enterprise's 检查结果告知书.

The inspections service writes the review; when the record has become 已通过 this step
carries on, in the same transaction, into publicity and then followup, and moves the task
on when that was its last record (``task_steps.task_advance``), so either all of it
happens or none. The publications' messages to 国家企业信用信息公示系统 are handed to
the queue, and the enterprise is told that its 检查结果告知书 is ready (not for a practice
task), once the transaction has committed.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.followup.services import cases_open_for_record
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import DepartmentReview, JointRecord
from spotcheck.inspections.services import review as review_services
from spotcheck.publicity.result_notice import result_notice_issue, result_notice_notify
from spotcheck.publicity.selectors import outbox_message_ids
from spotcheck.publicity.services import publish_on_approval
from spotcheck.publicity.tasks import outbox_enqueue
from spotcheck.workflow.task_steps import task_advance


@transaction.atomic
def record_review(
    *,
    actor: User,
    record: JointRecord,
    decision: str,
    comment: str = "",
    resign_required: bool = False,
) -> list[DepartmentReview]:
    """A department admin approves or returns its department's items of a submitted record;
    the approval that makes the record final publishes it and opens its follow-up cases.

    Same arguments, refusals and answer as ``spotcheck.inspections.services.review``'s
    ``record_review``.
    """
    rows = review_services.record_review(
        actor=actor,
        record=record,
        decision=decision,
        comment=comment,
        resign_required=resign_required,
    )
    # every row carries the record as the review locked and saved it
    reviewed = rows[0].record
    if reviewed.state == RecordState.APPROVED:
        published = publish_on_approval(actor=actor, record=reviewed)
        transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))
        cases_open_for_record(actor=actor, record=reviewed)
        # the notice announces the follow-up just opened; the enterprise hears of it only
        # once all of this has committed
        notice = result_notice_issue(actor=actor, record=reviewed)
        if notice is not None and not notice.is_practice:
            transaction.on_commit(partial(result_notice_notify, notice_id=notice.pk), robust=True)
        # the last record approved ends the checking, the last result published the
        # publication: the task moves on in the same transaction
        task_advance(task=reviewed.task)
    return rows
