"""The roles and the sets of roles that every access rule is written with.

A role names what a user may do; the user's department gives the scope. Each set is
named once here and used by name everywhere else: a view, service or selector never
spells a role out in a comparison (``tests/test_layers.py`` keeps it so).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may do; scope comes from the user's department."""

    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    LEAD_ADMIN = "lead_admin", _("牵头单位管理员")
    DEPT_ADMIN = "dept_admin", _("部门管理员")
    INSPECTOR = "inspector", _("执法检查人员")
    AUDITOR = "auditor", _("审计员")


# Roles that act for one department and therefore must have one.
DEPARTMENT_ROLES = frozenset({Role.LEAD_ADMIN, Role.DEPT_ADMIN, Role.INSPECTOR})

# Roles that organise joint tasks: plans, tasks, draws, matching, the final list.
ORGANISER_ROLES = frozenset({Role.LEAD_ADMIN, Role.PLATFORM_ADMIN})

# Roles that administer a department's work: confirmations, claims, reviews, cases,
# accounts of their subtree. Also the roles that must use a second factor.
ADMIN_ROLES = frozenset({Role.DEPT_ADMIN, Role.LEAD_ADMIN, Role.PLATFORM_ADMIN})

# Roles that change directory records and accounts inside their own subtree.
SUBTREE_WRITER_ROLES = frozenset({Role.DEPT_ADMIN, Role.LEAD_ADMIN})

# Roles that read every department's directory records.
READ_ALL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR, Role.LEAD_ADMIN})

# Roles that read the audit trail.
AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.PLATFORM_ADMIN})

# Roles that read the supervision figures.
STATS_READER_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.LEAD_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN}
)

# Roles that work in the office (every role but the inspector in the field).
OFFICE_ROLES = frozenset(Role) - {Role.INSPECTOR}

# How far up a role reaches: an administrator grants only roles at or below its own.
# The auditor stands outside this line and is granted by the platform admin alone.
ROLE_RANK = {Role.INSPECTOR: 1, Role.DEPT_ADMIN: 2, Role.LEAD_ADMIN: 3, Role.PLATFORM_ADMIN: 4}
