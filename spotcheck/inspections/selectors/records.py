"""Reads of groups and joint records (一企一表), scoped to the user.

- platform admin, auditor and the lead office read every record;
- a department admin reads the records that carry an item of its department subtree;
- an inspector reads only the records of the groups they are a member of.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids
from spotcheck.inspections.models import GroupMember, JointRecord, RecordItem


def joint_record_list_for_user(user: User, *, task_id: int | None = None) -> QuerySet[JointRecord]:
    """Return the joint records the user may read, optionally of one task."""
    qs = JointRecord.objects.select_related("task", "entity", "group")
    if task_id is not None:
        qs = qs.filter(task_id=task_id)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if access_records_for_inspecting(user):
        return qs.filter(group__members__inspector__user=user).distinct()
    ids = readable_department_ids(user)
    if ids is None:
        return qs
    return qs.filter(items__department__in=ids).distinct()


def joint_record_get_for_user(user: User, record_id: int) -> JointRecord:
    """Return one joint record the user may read, or 404."""
    try:
        return (
            joint_record_list_for_user(user)
            .prefetch_related(
                "items__department",
                "items__item",
                "items__result_codes",
                "group__members__inspector",
                "group__members__department",
            )
            .get(pk=record_id)
        )
    except JointRecord.DoesNotExist:
        raise Http404 from None


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


def group_members(record: JointRecord) -> list[GroupMember]:
    """The members of the record's group, with their inspector and department."""
    if record.group_id is None:
        return []
    return list(
        GroupMember.objects.filter(group_id=record.group_id).select_related(
            "inspector", "department"
        )
    )
