"""Choice sets of the item catalogue (抽查事项清单)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemClass(models.TextChoices):
    """国市监信〔2019〕38号: 重点 items have no upper ratio; 一般 items are strictly limited."""

    KEY = "key", _("重点检查事项")
    GENERAL = "general", _("一般检查事项")


class CheckMethod(models.TextChoices):
    WRITTEN = "written", _("书面检查")
    ONSITE = "onsite", _("实地核查")
    ONLINE = "online", _("网络监测")
    DATA_COMPARE = "data_compare", _("信息比对")
