"""Writes of organisations and users (账号管理); each writes its audit record."""

from __future__ import annotations

import secrets
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.selectors import (
    account_department_ids,
    grantable_roles,
    password_failures,
    user_manage_refusal,
)
from spotcheck.audit import events
from spotcheck.audit.services import audit_record, model_diff


def _set_path(department: Department) -> None:
    parent_path = department.parent.path if department.parent else "/"
    department.path = f"{parent_path}{department.pk}/"


@transaction.atomic
def department_create(
    *,
    actor: Any,
    name: str,
    short_name: str,
    region: Region,
    parent: Department | None = None,
) -> Department:
    """Create a department under an optional parent."""
    department = Department(name=name, short_name=short_name, region=region, parent=parent)
    department.full_clean(exclude=["path"])
    department.save()
    _set_path(department)
    department.save(update_fields=["path"])
    audit_record(
        actor=actor,
        event_type=events.DEPARTMENT_CREATED,
        target=department,
        data={"name": name, "parent": parent.name if parent else None, "region": region.code},
    )
    return department


# letters and digits without the look-alikes 0 O o 1 l I i
_GENERATED_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_initial_password() -> str:
    """Return a random password of four groups of four characters (about 92 bits)."""
    groups = ("".join(secrets.choice(_GENERATED_CHARACTERS) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def _check_manage(actor: Any, user: User) -> None:
    """Refuse an administrator who may not change this account (nobody: the system may)."""
    if actor is None:
        return
    refusal = user_manage_refusal(actor, user)
    if refusal:
        raise PermissionDenied(refusal)


def _check_assignable(actor: Any, role: str, department: Department | None) -> None:
    """Refuse a role above the actor's own, or a department outside its subtree."""
    if actor is None:
        return
    if role not in grantable_roles(actor):
        label = Role(role).label if role in Role.values else role
        raise ValidationError({"role": f"不能授予高于本人角色的角色（{label}）"})
    ids = account_department_ids(actor)
    if ids is not None and (department is None or department.pk not in ids):
        raise ValidationError({"department": "只能选择本部门或下级部门"})


def _staff_flags(user: User) -> None:
    # only the platform admin enters the maintenance screens (系统维护)
    user.is_staff = user.is_superuser = access_platform_for_administering(user)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    display_name: str,
    role: str,
    department: Department | None = None,
    phone: str = "",
) -> User:
    """Create a user with a role and, for department roles, a department.

    An administrator (``actor``) gives only roles up to its own, in its own subtree; the
    password must pass ``AUTH_PASSWORD_VALIDATORS``.
    """
    _check_assignable(actor, role, department)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        department=department,
        phone=phone,
    )
    _staff_flags(user)
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        event_type=events.USER_CREATED,
        target=user,
        data={"username": username, "role": role, "department": str(department or "")},
    )
    return user


_USER_FIELDS = ["display_name", "phone", "role", "department"]


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    """Change a user's name, phone, role or department (not one's own role or department)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manage(actor, user)
    unknown = set(changes) - set(_USER_FIELDS)
    if unknown:
        raise ValueError(f"unknown user fields {sorted(unknown)}")
    before = {f: str(getattr(user, f) or "") for f in _USER_FIELDS}
    for field, value in changes.items():
        setattr(user, field, value)
    after = {f: str(getattr(user, f) or "") for f in _USER_FIELDS}
    moved = before["role"] != after["role"] or before["department"] != after["department"]
    if moved and actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能修改自己的角色或所属部门，请联系上级管理员")
    if moved:
        _check_assignable(actor, user.role, user.department)
    diff = model_diff(before, after)
    if not diff:
        raise ValidationError("没有修改任何内容")
    _staff_flags(user)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, event_type=events.USER_UPDATED, target=user, data={"changes": diff})
    return user


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> User:
    """Lift a lockout: failed passwords (django-axes) and wrong two-step codes."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manage(actor, user)
    password = password_failures(user)
    if password < settings.AXES_FAILURE_LIMIT and not user.twofactor_locked:
        raise ValidationError("该账号未被锁定，无需解锁")
    data = {
        "password_failures": password,
        "twofactor_failures": user.twofactor_failures,
        "twofactor_locked": user.twofactor_locked,
    }
    AccessAttempt.objects.filter(username=user.username).delete()
    user.twofactor_failures = 0
    user.twofactor_locked_at = None
    user.save(update_fields=["twofactor_failures", "twofactor_locked_at"])
    audit_record(actor=actor, event_type=events.USER_UNLOCKED, target=user, data=data)
    return user


@transaction.atomic
def user_twofactor_reset(*, actor: Any, user: User) -> User:
    """Remove another user's authenticator (lost phone); they enrol again after sign-in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manage(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("自己的验证器请在“两步验证”页面停用")
    # the authenticator through its reverse one-to-one, by name: twofactor stands above
    # accounts (it reads the user model), so accounts does not import it
    device = getattr(user, "totp_device", None)
    if device is None:
        raise ValidationError("该账号未设置两步验证")
    device.delete()
    audit_record(actor=actor, event_type=events.TWOFACTOR_RESET, target=user)
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Stop an account: no sign-in, its sessions and API tokens stop working at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manage(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能停用自己的账号")
    if not user.is_active:
        raise ValidationError("该账号已停用")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, event_type=events.USER_DEACTIVATED, target=user)
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    """Let a stopped account sign in again."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_manage(actor, user)
    if user.is_active:
        raise ValidationError("该账号已是启用状态")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, event_type=events.USER_REACTIVATED, target=user)
    return user


@transaction.atomic
def department_update(*, actor: Any, department: Department, **changes: Any) -> Department:
    """Change a department; moving it re-parents its whole subtree."""
    fields = ["name", "short_name", "region", "parent", "is_active"]
    before = {f: str(getattr(department, f)) for f in fields}
    old_path = department.path
    for field, value in changes.items():
        if field not in fields:
            raise ValueError(f"unknown department field {field}")
        setattr(department, field, value)
    department.full_clean(exclude=["path"])
    _set_path(department)
    department.save()
    if department.path != old_path:
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
            child.path = department.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    after = {f: str(getattr(department, f)) for f in fields}
    audit_record(
        actor=actor,
        event_type=events.DEPARTMENT_UPDATED,
        target=department,
        data={"changes": model_diff(before, after)},
    )
    return department
