"""Region levels; the roles live in ``spotcheck.access.roles`` and are named here too."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.access.roles import DEPARTMENT_ROLES, Role

__all__ = ["DEPARTMENT_ROLES", "RegionLevel", "Role"]


class RegionLevel(models.TextChoices):
    """GB/T 2260 levels."""

    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
