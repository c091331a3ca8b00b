from __future__ import annotations

from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "spotcheck.publicity"
    label = "publicity"
    verbose_name = "公示"
