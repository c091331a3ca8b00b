"""Calendar day kinds, deadline kinds, deadline states; the moves are in core.deadlineflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import deadlineflow as flow


class DayKind(models.TextChoices):
    """An exception to the Monday-to-Friday rule, as the State Council notice sets it."""

    HOLIDAY = "holiday", _("放假")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class DeadlineKind(models.TextChoices):
    """The time limits of the plan; the number is the default count of working days
    (``core.deadlineflow.DEFAULT_WORKING_DAYS``)."""

    CONFIRM_OBJECTS = flow.CONFIRM_OBJECTS, _("派发对象比对确认（2个工作日）")
    ENTER_RESULTS = flow.ENTER_RESULTS, _("抽查结果录入公示（20个工作日）")
    DISPOSAL = flow.DISPOSAL, _("后续处置结果录入（20个工作日）")
    OTHER = flow.OTHER, _("其他")


class DeadlineState(models.TextChoices):
    OPEN = flow.OPEN, _("进行中")
    DONE = flow.DONE, _("已完成")
    OVERDUE = flow.OVERDUE, _("已超期")


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    MISSED = "missed", _("已超期")
    ESCALATED = "escalated", _("超期督办")
