"""Case states, step kinds and measures; the rules behind them are in core.followup."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spotcheck.core import followup as rules


class CaseState(models.TextChoices):
    OPEN = rules.OPEN, _("处置中")
    TRANSFERRING = rules.TRANSFERRING, _("移交待接收")
    CLOSED = rules.CLOSED, _("已办结")


class StepKind(models.TextChoices):
    OPENED = "opened", _("生成处置事项")
    MEASURE = rules.MEASURE, _("记录处置措施")
    TRANSFER = rules.TRANSFER, _("移交")
    ACCEPT = rules.ACCEPT, _("接收移交")
    RETURN = rules.RETURN, _("退回移交")
    CLOSE = rules.CLOSE, _("办结")
    REOPEN = rules.REOPEN, _("重新办理")


class Measure(models.TextChoices):
    ORDER_CORRECTION = rules.ORDER_CORRECTION, _("责令改正")
    FILE_CASE = rules.FILE_CASE, _("立案查处")
    ABNORMAL_LIST = rules.ABNORMAL_LIST, _("列入经营异常名录")
    OTHER = rules.OTHER, _("其他")
