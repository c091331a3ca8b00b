"""Publication and outbox choices; the outbox message's moves are in core.outboxflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import outboxflow as flow


class OutboxKind(models.TextChoices):
    PUBLISH = "publish", _("公示")
    CORRECT = "correct", _("更正")


class OutboxState(models.TextChoices):
    PENDING = flow.PENDING, _("待发送")
    SENDING = flow.SENDING, _("发送中")
    DELIVERED = flow.DELIVERED, _("已送达")
    DEAD = flow.DEAD, _("发送失败")
