"""Reads of groups and joint records (一企一表), scoped to the user.

- platform admin, auditor and the lead office read every record;
- a department admin reads the records that carry an item of its department subtree;
- an inspector reads only the records of the groups they are a member of.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids
from spotcheck.inspections.models import JointRecord


def joint_record_list_for_user(user: User, *, task_id: int | None = None) -> QuerySet[JointRecord]:
    """Return the joint records the user may read, optionally of one task."""
    qs = JointRecord.objects.select_related("task", "entity", "group")
    if task_id is not None:
        qs = qs.filter(task_id=task_id)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.INSPECTOR:
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
