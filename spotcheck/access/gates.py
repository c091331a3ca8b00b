"""The access gates: ``access_<object>_for_<purpose>(user, …)`` answers yes or no.

Every gate reads only the user (and, where given, the attributes of the object it is
asked about), so any layer may call it without importing another context. A gate says
whether the user's role may do a thing at all; the scope (which departments, which
records) is the business of each context's ``*_for_user`` selectors, which call these
gates first. Services raise their own Chinese refusal when a gate says no.
"""

from __future__ import annotations

from typing import Any

from spotcheck.access.roles import (
    ADMIN_ROLES,
    AUDIT_READER_ROLES,
    DEPARTMENT_ROLES,
    OFFICE_ROLES,
    ORGANISER_ROLES,
    READ_ALL_ROLES,
    STATS_READER_ROLES,
    SUBTREE_WRITER_ROLES,
    Role,
)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _role(user: Any) -> str:
    return str(getattr(user, "role", "") or "")


def access_platform_for_administering(user: Any) -> bool:
    """The platform admin: settings, the public portal's pages, every department."""
    return _role(user) == Role.PLATFORM_ADMIN


def access_tasks_for_organising(user: Any) -> bool:
    """Create and run joint tasks, plans and draws (the lead office, the platform admin)."""
    return _role(user) in ORGANISER_ROLES


def access_department_for_administering(user: Any) -> bool:
    """Act for a department: confirm, claim, review, handle cases, manage its accounts."""
    return _role(user) in ADMIN_ROLES


def access_department_for_writing(user: Any) -> bool:
    """Change the records of one's own department subtree (not the platform-wide writer)."""
    return _role(user) in SUBTREE_WRITER_ROLES


def access_records_for_inspecting(user: Any) -> bool:
    """Work in the field: one's own 一企一表, the phone pages, offline copies."""
    return _role(user) == Role.INSPECTOR


def access_office_for_working(user: Any) -> bool:
    """The office pages (task boards, directory lists): every role but the inspector."""
    return _active(user) and _role(user) in OFFICE_ROLES


def access_departments_for_reading_all(user: Any) -> bool:
    """Read every department's directory records, not only one's own subtree."""
    return _role(user) in READ_ALL_ROLES


def access_audit_for_reading(user: Any) -> bool:
    """Read the audit trail (the auditor, the platform admin)."""
    return _active(user) and _role(user) in AUDIT_READER_ROLES


def access_stats_for_reading(user: Any) -> bool:
    """Read the supervision figures."""
    return _active(user) and _role(user) in STATS_READER_ROLES


def access_twofactor_for_enrolling(user: Any) -> bool:
    """Must sign in with a second factor (every administering role)."""
    return bool(getattr(user, "is_authenticated", False)) and _role(user) in ADMIN_ROLES


def access_field_pages_for_working(user: Any) -> bool:
    """The 现场检查 / 记录审核 pages: inspectors, and the department and lead office admins
    who review and confirm records."""
    return _role(user) in DEPARTMENT_ROLES
