"""Writes of organisations and users; each writes its audit record."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from spotcheck.accounts.models import Department, Region, User
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
    """Create a user with a role and, for department roles, a department."""
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        department=department,
        phone=phone,
        is_staff=role == "platform_admin",
        is_superuser=role == "platform_admin",
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        event_type=events.USER_CREATED,
        target=user,
        data={"username": username, "role": role, "department": str(department or "")},
    )
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
