"""Record states (domain: 未录入 → 已录入 → 待审核 → 已退回 / 已通过)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordState(models.TextChoices):
    PENDING = "pending", _("未录入")
    ENTERED = "entered", _("已录入")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")
