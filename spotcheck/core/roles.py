"""The roles' stored values and the named sets of roles, as plain strings (no Django).

Named once here so that the pure rules (``core.taskflow``) and the Django side
(``spotcheck.access.roles``, which gives each role its Chinese label) use the same sets.
Nothing else spells a role out.
"""

from __future__ import annotations

PLATFORM_ADMIN = "platform_admin"
LEAD_ADMIN = "lead_admin"
DEPT_ADMIN = "dept_admin"
INSPECTOR = "inspector"
AUDITOR = "auditor"

ALL_ROLES = frozenset({PLATFORM_ADMIN, LEAD_ADMIN, DEPT_ADMIN, INSPECTOR, AUDITOR})

# Roles that act for one department and therefore must have one.
DEPARTMENT_ROLES = frozenset({LEAD_ADMIN, DEPT_ADMIN, INSPECTOR})

# Roles that organise joint tasks: plans, tasks, draws, matching, the final list.
ORGANISER_ROLES = frozenset({LEAD_ADMIN, PLATFORM_ADMIN})

# Roles that administer a department's work: confirmations, claims, reviews, cases,
# accounts of their subtree. Also the roles that must use a second factor.
ADMIN_ROLES = frozenset({DEPT_ADMIN, LEAD_ADMIN, PLATFORM_ADMIN})

# Roles that change directory records and accounts inside their own subtree.
SUBTREE_WRITER_ROLES = frozenset({DEPT_ADMIN, LEAD_ADMIN})

# Roles that read every department's directory records.
READ_ALL_ROLES = frozenset({PLATFORM_ADMIN, AUDITOR, LEAD_ADMIN})

# Roles that read the audit trail.
AUDIT_READER_ROLES = frozenset({AUDITOR, PLATFORM_ADMIN})

# Roles that read the supervision figures.
STATS_READER_ROLES = frozenset({PLATFORM_ADMIN, LEAD_ADMIN, AUDITOR, DEPT_ADMIN})

# Roles that work in the office (every role but the inspector in the field).
OFFICE_ROLES = ALL_ROLES - {INSPECTOR}

# Officials who may approve a redraw: any office role but the requester's own
# (docs/domain/redraw.md).
REDRAW_APPROVER_ROLES = frozenset({PLATFORM_ADMIN, LEAD_ADMIN, DEPT_ADMIN, AUDITOR})

# How far up a role reaches: an administrator grants only roles at or below its own.
# The auditor stands outside this line and is granted by the platform admin alone.
ROLE_RANK = {INSPECTOR: 1, DEPT_ADMIN: 2, LEAD_ADMIN: 3, PLATFORM_ADMIN: 4}
