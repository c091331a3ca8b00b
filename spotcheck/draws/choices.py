"""Draw choices: an attempt's status (its moves are in ``spotcheck.core.drawflow``), a
dispatched object's state and the reasons DRAW-v1 announces for replacing one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import drawflow


class AttemptStatus(models.TextChoices):
    REQUESTED = drawflow.REQUESTED, _("重新抽取待批准")
    REFUSED = drawflow.REFUSED, _("重新抽取未获批准")
    COMMITTING = drawflow.COMMITTING, _("收集承诺中")
    ANNOUNCED = drawflow.ANNOUNCED, _("已公告，待公布秘密值")
    DRAWN = drawflow.DRAWN, _("已抽取")
    ABANDONED = drawflow.ABANDONED, _("已放弃")
    SUPERSEDED = drawflow.SUPERSEDED, _("已作废（经批准重新抽取）")


class ObjectState(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REPLACED = "replaced", _("已替补")


class ReplacementReason(models.TextChoices):
    """The reasons DRAW-v1 announces for taking the next entity of the reserve list."""

    CANCELLED = "cancelled", _("已注销")
    MOVED_OUT = "moved_out", _("已迁出")
    NOT_FOUND = "not_found", _("查无此户")
