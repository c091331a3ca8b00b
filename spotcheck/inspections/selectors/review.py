"""Reads of the review of a signed record: each department's decision in the current round,
the returns and the enterprise's re-signature they ask for, and the queues of the review
and of the lead office's confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from spotcheck.access.gates import (
    access_department_for_administering,
    access_platform_for_administering,
    access_tasks_for_organising,
)
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.core import recordflow
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import DepartmentReview, JointRecord, RecordItem


def review_departments(user: User, record: JointRecord) -> list[int]:
    """The departments of the record's items whose review is the user's."""
    if not access_department_for_administering(user):
        return []
    ids = {i.department_id for i in record.items.all()}
    writable = writable_department_ids(user)
    return sorted(ids if writable is None else ids & writable)


def current_reviews(record: JointRecord) -> dict[int, DepartmentReview]:
    """The decisions of the current review round, by department."""
    return {
        r.department_id: r
        for r in DepartmentReview.objects.filter(
            record=record, review_round=record.review_round
        ).select_related("department", "reviewed_by")
    }


@dataclass(frozen=True)
class DepartmentReviewStatus:
    """Where one department's review of the record stands in the current round."""

    department: Department
    label: str
    review: DepartmentReview | None

    @property
    def decision(self) -> str:
        return self.review.decision if self.review else ""


def review_status(record: JointRecord) -> list[DepartmentReviewStatus]:
    """Every department with items on a record sent for review and its review: 已通过 (who,
    when), 已退回, 待审核 … in the order of the departments; [] before the first review."""
    return review_status_by_record([record]).get(record.pk, [])


def review_status_by_record(records: list[JointRecord]) -> dict[int, list[DepartmentReviewStatus]]:
    """``review_status`` of a page of records in two queries (items and current reviews)."""
    sent = [r for r in records if r.review_round]
    items = RecordItem.objects.filter(record__in=sent).select_related("department")
    reviews = DepartmentReview.objects.filter(record__in=sent).select_related("reviewed_by")
    departments: dict[int, dict[int, Department]] = {r.pk: {} for r in sent}
    for item in items:
        departments[item.record_id][item.department_id] = item.department
    rounds = {r.pk: r.review_round for r in sent}
    current: dict[int, dict[int, DepartmentReview]] = {r.pk: {} for r in sent}
    for review in reviews:
        if review.review_round == rounds[review.record_id]:
            current[review.record_id][review.department_id] = review
    return {
        r.pk: [
            DepartmentReviewStatus(
                department=department,
                label=recordflow.department_review_label(
                    r.state, current[r.pk][pk].decision if pk in current[r.pk] else None
                ),
                review=current[r.pk].get(pk),
            )
            for pk, department in sorted(departments[r.pk].items(), key=lambda kv: kv[1].path)
        ]
        for r in sent
    }


def current_returns(record: JointRecord) -> list[DepartmentReview]:
    """The current round's returns (退回), with the reviewer's comment, who and when."""
    if record.state != RecordState.RETURNED:
        return []
    return [r for r in current_reviews(record).values() if r.decision == ReviewDecision.RETURNED]


def resignature_requests(record: JointRecord) -> list[DepartmentReview]:
    """The current round's returns that asked for the enterprise's signature again."""
    return [r for r in current_returns(record) if r.resign_required]


def resignature_outstanding(record: JointRecord) -> list[DepartmentReview]:
    """Those of them the enterprise has not yet answered by signing (or refusing) again."""
    signed = record.party_signed_at
    return [r for r in resignature_requests(record) if signed is None or signed <= r.reviewed_at]


def review_queue_for_user(user: User) -> list[JointRecord]:
    """Submitted records with an item of the user's departments not yet reviewed this round."""
    writable = writable_department_ids(user)
    if writable is not None and not writable:
        return []
    qs = (
        JointRecord.objects.filter(state=RecordState.SUBMITTED)
        .select_related("task", "entity", "group")
        .prefetch_related(
            Prefetch("items", queryset=RecordItem.objects.only("department_id", "record_id"))
        )
        .order_by("signed_at")
    )
    if writable is not None:
        qs = qs.filter(items__department__in=writable).distinct()
    out = []
    for record in qs:
        mine = set(review_departments(user, record))
        done = set(current_reviews(record))
        if mine - done:
            out.append(record)
    return out


def lead_can_confirm(user: User, record: JointRecord) -> bool:
    """Whether the user confirms the approved record for the task's lead department now."""
    if record.state != RecordState.APPROVED or record.lead_confirmed_at is not None:
        return False
    if access_platform_for_administering(user):
        return True
    writable = writable_department_ids(user)
    return (
        access_tasks_for_organising(user)  # the platform admin returned above
        and writable is not None
        and record.task.lead_department_id in writable
    )


def lead_confirm_queue(user: User) -> list[JointRecord]:
    """Approved records of tasks the user's department leads, not yet confirmed as a whole."""
    if not access_tasks_for_organising(user):
        return []
    qs = JointRecord.objects.filter(
        state=RecordState.APPROVED, lead_confirmed_at__isnull=True
    ).select_related("task", "entity")
    writable = writable_department_ids(user)
    if writable is not None:
        qs = qs.filter(task__lead_department__in=writable)
    return list(qs.order_by("updated_at"))


def reviews_of(record: JointRecord) -> list[DepartmentReview]:
    """Every review of the record, of every round."""
    return list(
        DepartmentReview.objects.filter(record=record).select_related("department", "reviewed_by")
    )
