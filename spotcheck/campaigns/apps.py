from __future__ import annotations

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "spotcheck.campaigns"
    label = "campaigns"
    verbose_name = "抽查计划与任务"
