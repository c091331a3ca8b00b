from __future__ import annotations

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "spotcheck.common"
    label = "common"
    verbose_name = "公共"
