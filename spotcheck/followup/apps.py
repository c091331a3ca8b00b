from __future__ import annotations

from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "spotcheck.followup"
    label = "followup"
    verbose_name = "后续处置"
