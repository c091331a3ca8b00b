"""Reads of organisations and the access rules every other context builds on.

One condition per line on purpose: the tests cover each role separately.
"""

from __future__ import annotations

from django.db.models import QuerySet

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import Department, User

# Roles that read every department's directory records.
_READ_ALL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR, Role.LEAD_ADMIN})


def department_subtree(department: Department) -> QuerySet[Department]:
    """Return the department and every department below it."""
    return Department.objects.filter(path__startswith=department.path)


def readable_department_ids(user: User) -> frozenset[int] | None:
    """Return the departments whose records the user may read; None means all."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.role in _READ_ALL_ROLES:
        return None
    if user.role == Role.DEPT_ADMIN and user.department_id:
        return frozenset(department_subtree(user.department).values_list("pk", flat=True))
    if user.role == Role.INSPECTOR and user.department_id:
        return frozenset({user.department_id})
    return frozenset()


def writable_department_ids(user: User) -> frozenset[int] | None:
    """Return the departments whose records the user may change; None means all."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.role == Role.PLATFORM_ADMIN:
        return None
    if user.role in (Role.DEPT_ADMIN, Role.LEAD_ADMIN) and user.department_id:
        return frozenset(department_subtree(user.department).values_list("pk", flat=True))
    return frozenset()


def user_can_write_any(user: User) -> bool:
    """Tell whether the user may change directory records at all."""
    writable = writable_department_ids(user)
    return writable is None or bool(writable)


def department_list_for_user(user: User) -> QuerySet[Department]:
    """Return the departments the user may see in lists and filters."""
    ids = readable_department_ids(user)
    qs = Department.objects.select_related("region", "parent")
    if ids is None:
        return qs
    return qs.filter(pk__in=ids)


def department_choices_for_writing(user: User) -> QuerySet[Department]:
    """Return the departments a user may assign records to."""
    ids = writable_department_ids(user)
    qs = Department.objects.filter(is_active=True)
    if ids is None:
        return qs
    return qs.filter(pk__in=ids)
