"""Reads of organisations and the access rules every other context builds on.

One condition per line on purpose: the tests cover each role separately.
"""

from __future__ import annotations

import datetime as dt

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from spotcheck.access.gates import (
    access_department_for_writing,
    access_departments_for_reading_all,
    access_platform_for_administering,
    access_records_for_inspecting,
)
from spotcheck.access.roles import ROLE_RANK, Role
from spotcheck.accounts.models import Department, User


def department_subtree(department: Department) -> QuerySet[Department]:
    """Return the department and every department below it."""
    return Department.objects.filter(path__startswith=department.path)


def readable_department_ids(user: User) -> frozenset[int] | None:
    """Return the departments whose records the user may read; None means all."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if access_departments_for_reading_all(user):
        return None
    if not user.department_id:
        return frozenset()
    if access_department_for_writing(user):  # the department admin (the lead office reads all)
        return frozenset(department_subtree(user.department).values_list("pk", flat=True))
    if access_records_for_inspecting(user):
        return frozenset({user.department_id})
    return frozenset()


def writable_department_ids(user: User) -> frozenset[int] | None:
    """Return the departments whose records the user may change; None means all."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if access_platform_for_administering(user):
        return None
    if access_department_for_writing(user) and user.department_id:
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


# --------------------------------------------------------------------------- 账号管理


def account_department_ids(user: User) -> frozenset[int] | None:
    """Return the departments whose accounts the user manages; None means every account.

    The same scope as changing directory records: the platform admin every account, a
    lead office or department admin the accounts of its own subtree, nobody else any.
    """
    return writable_department_ids(user)


def user_can_manage_accounts(user: User) -> bool:
    """Tell whether the user may open 账号管理 at all."""
    ids = account_department_ids(user)
    return ids is None or bool(ids)


def grantable_roles(user: User) -> list[Role]:
    """Return the roles the user may give, highest first."""
    if account_department_ids(user) is None:
        return list(Role)
    if not user_can_manage_accounts(user):
        return []
    own = ROLE_RANK.get(user.role, 0)
    ranked = sorted(ROLE_RANK.items(), key=lambda r: -r[1])
    return [Role(role) for role, rank in ranked if rank <= own]


def account_department_choices(user: User) -> QuerySet[Department]:
    """Return the active departments the user may put accounts in."""
    return department_choices_for_writing(user).order_by("path")


def password_locked_usernames() -> QuerySet[AccessAttempt]:
    """Return (as ``username`` rows) the logins django-axes refuses now.

    The same count as axes makes at sign-in: failures within the cool-off, summed over
    every address and browser, at or over ``AXES_FAILURE_LIMIT``.
    """
    since = timezone.now() - (get_cool_off() or dt.timedelta(0))
    return (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )


def password_failures(user: User) -> int:
    """Return the failed passwords of the user that still count towards the lockout."""
    since = timezone.now() - (get_cool_off() or dt.timedelta(0))
    total = AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start")
    )["failures"]
    return int(total or 0)


def _accounts_annotated(qs: QuerySet[User]) -> QuerySet[User]:
    locked = password_locked_usernames().filter(username=OuterRef("username"))
    return qs.select_related("department").annotate(
        password_locked=Exists(locked),
        # the reverse one-to-one of twofactor.TotpDevice, by name: no import of its models
        has_twofactor=ExpressionWrapper(
            Q(totp_device__confirmed_at__isnull=False), output_field=BooleanField()
        ),
    )


def user_list_for_user(
    user: User,
    *,
    q: str = "",
    department: Department | None = None,
    role: str = "",
    status: str = "",
) -> QuerySet[User]:
    """Return the accounts the user manages, filtered; 404-free (an empty list outside)."""
    ids = account_department_ids(user)
    qs = User.objects.all()
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    qs = _accounts_annotated(qs)
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(phone__icontains=q)
        )
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    if role:
        qs = qs.filter(role=role)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "locked":
        qs = qs.filter(Q(password_locked=True) | Q(twofactor_locked_at__isnull=False))
    return qs.order_by("department__path", "username")


def user_get_for_user(user: User, pk: int) -> User:
    """Return one account the user manages, or raise Http404."""
    ids = account_department_ids(user)
    qs = User.objects.all()
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    found = _accounts_annotated(qs).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def user_manage_refusal(actor: User, user: User) -> str:
    """Return why ``actor`` may not change ``user``'s account ("" when it may)."""
    ids = account_department_ids(actor)
    if ids is not None and user.department_id not in ids:
        return "该账号不属于本部门及下级部门，无权管理"
    if user.role not in grantable_roles(actor):
        return f"该账号的角色（{user.role_label}）高于您的角色，无权管理"
    return ""
