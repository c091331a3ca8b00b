"""The roles with their Chinese labels, and the named sets of roles.

A role names what a user may do; the user's department gives the scope. The stored
values and the sets are defined once in ``spotcheck.core.roles`` (pure, shared with the
task rules); here each role gets its label. Views, services and selectors never spell a
role out in a comparison: they call a gate (``spotcheck.access.gates``) or test
membership of a named set (``tests/test_structure.py`` keeps it so).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import roles as _roles
from spotcheck.core.roles import (
    ADMIN_ROLES,
    AUDIT_READER_ROLES,
    DEPARTMENT_ROLES,
    OFFICE_ROLES,
    ORGANISER_ROLES,
    READ_ALL_ROLES,
    REDRAW_APPROVER_ROLES,
    ROLE_RANK,
    STATS_READER_ROLES,
    SUBTREE_WRITER_ROLES,
)

__all__ = [
    "ADMIN_ROLES",
    "AUDIT_READER_ROLES",
    "DEPARTMENT_ROLES",
    "OFFICE_ROLES",
    "ORGANISER_ROLES",
    "READ_ALL_ROLES",
    "REDRAW_APPROVER_ROLES",
    "ROLE_RANK",
    "STATS_READER_ROLES",
    "SUBTREE_WRITER_ROLES",
    "Role",
]


class Role(models.TextChoices):
    """What a user may do; scope comes from the user's department."""

    PLATFORM_ADMIN = _roles.PLATFORM_ADMIN, _("平台管理员")
    LEAD_ADMIN = _roles.LEAD_ADMIN, _("牵头单位管理员")
    DEPT_ADMIN = _roles.DEPT_ADMIN, _("部门管理员")
    INSPECTOR = _roles.INSPECTOR, _("执法检查人员")
    AUDITOR = _roles.AUDITOR, _("审计员")
