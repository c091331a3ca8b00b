"""Reads of the field work: an inspector's records, what they may fill, the record's content.

``record_snapshot`` is the one description of a record's content: the web page of the
final record, its PDF and every stored version are rendered from it, so they cannot
differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.catalogue.models import ResultCode
from spotcheck.core import recordflow
from spotcheck.core.results import Code, ResultRules
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import (
    DepartmentReview,
    EntryConflict,
    GroupMember,
    JointRecord,
    RecordItem,
)
from spotcheck.inspections.selectors import joint_record_list_for_user


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


def membership(user: User, record: JointRecord) -> GroupMember | None:
    """The user's membership of the record's group, if any."""
    if record.group_id is None or not user.is_authenticated:
        return None
    return (
        GroupMember.objects.select_related("inspector", "department")
        .filter(group_id=record.group_id, inspector__user=user)
        .first()
    )


def own_items(user: User, record: JointRecord) -> QuerySet[RecordItem]:
    """The items of the record the user records ("谁检查、谁录入"): their department's."""
    member = membership(user, record)
    if member is None:
        return RecordItem.objects.none()
    return (
        record.items.filter(department_id=member.department_id)
        .select_related("item", "department")
        .prefetch_related("result_codes", "item__result_codes", "item__sub_items", "photos")
    )


@dataclass(frozen=True)
class TaskLists:
    today: list[JointRecord]
    week: list[JointRecord]
    overdue: list[JointRecord]
    unscheduled: list[JointRecord]
    done: list[JointRecord]
    returned: list[JointRecord]


def field_records_for_inspector(user: User) -> TaskLists:
    """An inspector's records: returned, today, this week, overdue, not yet scheduled, done.

    Only an inspector has field work; other roles get empty lists.
    """
    if user.role != Role.INSPECTOR:
        return TaskLists([], [], [], [], [], [])
    today = timezone.localdate()
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


def review_departments(user: User, record: JointRecord) -> list[int]:
    """The departments of the record's items whose review is the user's."""
    if user.role not in (Role.DEPT_ADMIN, Role.LEAD_ADMIN, Role.PLATFORM_ADMIN):
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
    if record.state != RecordState.APPROVED or record.lead_confirmed_at is not None:
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    writable = writable_department_ids(user)
    return (
        user.role == Role.LEAD_ADMIN
        and writable is not None
        and record.task.lead_department_id in writable
    )


def lead_confirm_queue(user: User) -> list[JointRecord]:
    """Approved records of tasks the user's department leads, not yet confirmed as a whole."""
    if user.role not in (Role.LEAD_ADMIN, Role.PLATFORM_ADMIN):
        return []
    qs = JointRecord.objects.filter(
        state=RecordState.APPROVED, lead_confirmed_at__isnull=True
    ).select_related("task", "entity")
    writable = writable_department_ids(user)
    if writable is not None:
        qs = qs.filter(task__lead_department__in=writable)
    return list(qs.order_by("updated_at"))


def _fmt(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def record_snapshot(record: JointRecord) -> dict[str, Any]:
    """Everything the record says, as plain data (stored in versions, rendered in web and PDF)."""
    record = (
        JointRecord.objects.select_related("task", "entity", "task__lead_department")
        .prefetch_related(
            "items__department",
            "items__item",
            "items__result_codes",
            "items__entered_by",
            "items__photos",
            "notices",
            "signatures__member__inspector",
            "signatures__member__department",
        )
        .get(pk=record.pk)
    )
    entity = record.entity
    members = (
        list(
            GroupMember.objects.filter(group_id=record.group_id).select_related(
                "inspector", "department"
            )
        )
        if record.group_id
        else []
    )
    return {
        "number": record.number,
        "task": {"number": record.task.number, "name": record.task.name},
        "lead_department": record.task.lead_department.name,
        "entity": {
            "name": entity.name,
            "uscc": entity.uscc or entity.reg_no,
            "address": entity.business_address or entity.address,
            "legal_rep": entity.legal_rep_name,
        },
        "members": [
            {
                "name": m.inspector.name,
                "department": m.department.name,
                "certificate_no": m.inspector.certificate_no,
                "leader": m.is_leader,
            }
            for m in members
        ],
        "planned_on": record.planned_on.isoformat() if record.planned_on else "",
        "started_at": _fmt(record.started_at),
        "ended_at": _fmt(record.ended_at),
        "location": (
            f"{record.latitude}, {record.longitude}"
            if record.latitude is not None and record.longitude is not None
            else ""
        ),
        "notices": [
            {"method": str(n.get_method_display()), "at": _fmt(n.delivered_at)}
            for n in record.notices.all()
        ],
        "items": [
            {
                "id": i.pk,
                "department": i.department.name,
                "code": i.item.code,
                "name": i.item.name,
                "findings": i.findings,
                "results": [
                    f"{c.code} {c.label}"
                    for c in sorted(i.result_codes.all(), key=lambda c: (c.sort, c.code))
                ],
                "notes": i.notes,
                "entered_by": str(i.entered_by) if i.entered_by_id else "",
                "entered_at": _fmt(i.entered_at),
                "photos": [p.pk for p in i.photos.all()],
            }
            for i in record.items.all()
        ],
        "party": {
            "name": record.party_name,
            "role": str(record.get_party_role_display()) if record.party_role else "",
            "refused": record.party_refused,
            "refusal_reason": record.refusal_reason,
            "witness_name": record.witness_name,
            "witness_id": record.witness_id_masked,
            "signature": record.party_signature.name if record.party_signature else "",
            "witness_signature": record.witness_signature.name if record.witness_signature else "",
        },
        "signatures": [
            {
                "name": s.member.inspector.name,
                "department": s.member.department.name,
                "certificate_no": s.member.inspector.certificate_no,
                "image": s.image.name,
                "at": _fmt(s.signed_at),
            }
            for s in record.signatures.all()
        ],
        "signed_at": _fmt(record.signed_at),
    }


def reviews_of(record: JointRecord) -> list[DepartmentReview]:
    return list(
        DepartmentReview.objects.filter(record=record).select_related("department", "reviewed_by")
    )


def _labels(codes: list[str]) -> list[str]:
    known = dict(ResultCode.objects.filter(code__in=codes).values_list("code", "label"))
    return [f"{c} {known.get(c, '')}".strip() for c in codes]


def conflict_view(conflict: EntryConflict) -> dict[str, Any]:
    """Both sides of a conflict, as shown on the pages and answered to the phone and the API."""
    item = conflict.item
    item_now = {
        "findings": item.findings,
        "codes": sorted(c.code for c in item.result_codes.all()),
        "notes": item.notes,
        "version": item.version,
        "entered_by": str(item.entered_by) if item.entered_by_id else "",
        "entered_at": _fmt(item.entered_at),
    }
    current = dict(item_now)
    if not conflict.is_open:
        # what the other side was at the moment of the conflict
        current = {
            "findings": conflict.current.get("findings", ""),
            "codes": conflict.current.get("codes", []),
            "notes": conflict.current.get("notes", ""),
            "version": conflict.current_version,
            "entered_by": conflict.current.get("entered_by_name", ""),
            "entered_at": _fmt(
                dt.datetime.fromisoformat(conflict.current["entered_at"])
                if conflict.current.get("entered_at")
                else None
            ),
        }
    current["results"] = _labels(current["codes"])
    item_now["results"] = _labels(item_now["codes"])
    return {
        "id": conflict.pk,
        "item": item.pk,
        "item_code": item.item.code,
        "item_name": item.item.name,
        "department": item.department_id,
        "open": conflict.is_open,
        "correction": conflict.correction,
        "current": current,
        "now": item_now,
        "incoming": {
            "findings": conflict.findings,
            "codes": list(conflict.codes),
            "results": _labels(list(conflict.codes)),
            "notes": conflict.notes,
            "base_version": conflict.base_version,
            "written_by": str(conflict.written_by),
            "written_by_id": conflict.written_by_id,
            "written_at": _fmt(conflict.written_at),
        },
        "settlement": conflict.settlement,
        "settlement_label": str(conflict.get_settlement_display()) if conflict.settlement else "",
        "settled_by": str(conflict.settled_by) if conflict.settled_by_id else "",
        "settled_at": _fmt(conflict.settled_at),
        "message": (
            f"“{item.item.name}”在您编辑期间已被{current['entered_by'] or '他人'}修改"
            f"（第{current['version']}版），您的内容未覆盖对方，已作为冲突保存，请选择保留哪一份或合并"
        ),
    }


def conflicts_of(record: JointRecord, *, open_only: bool = False) -> list[dict[str, Any]]:
    """The record's conflicts, oldest first: both sides and how each was settled."""
    qs = EntryConflict.objects.filter(record=record).select_related(
        "item__item", "item__department", "item__entered_by", "written_by", "settled_by"
    )
    if open_only:
        qs = qs.filter(settled_at__isnull=True)
    return [conflict_view(c) for c in qs.prefetch_related("item__result_codes").order_by("pk")]


def open_conflict_record_ids(records: list[JointRecord]) -> set[int]:
    """Which of these records have a conflict nobody has settled yet."""
    return set(
        EntryConflict.objects.filter(record__in=records, settled_at__isnull=True).values_list(
            "record_id", flat=True
        )
    )


def conflict_answer(record: JointRecord, conflict_ids: list[int]) -> dict[str, Any]:
    """The answer to a write that conflicted: both sides of each conflict, in Chinese."""
    views = [c for c in conflicts_of(record) if c["id"] in conflict_ids]
    return {
        "conflict": True,
        "conflicts": views,
        "errors": [c["message"] for c in views],
    }
