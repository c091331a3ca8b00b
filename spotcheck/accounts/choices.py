"""Roles and region levels."""

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


class RegionLevel(models.TextChoices):
    """GB/T 2260 levels."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
