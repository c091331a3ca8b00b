"""Publication and outbox choices."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    PUBLISH = "publish", _("公示")
    CORRECT = "correct", _("更正")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("发送失败")


# A message moves pending → sending → delivered, or back to pending for a retry, or to
# dead after the last attempt or a refusal; only the platform admin re-sends a dead one.
OUTBOX_TRANSITIONS: dict[str, frozenset[str]] = {
    OutboxState.PENDING: frozenset({OutboxState.SENDING}),
    OutboxState.SENDING: frozenset(
        {OutboxState.DELIVERED, OutboxState.PENDING, OutboxState.DEAD, OutboxState.SENDING}
    ),
    OutboxState.DEAD: frozenset({OutboxState.PENDING}),
    OutboxState.DELIVERED: frozenset(),
}
