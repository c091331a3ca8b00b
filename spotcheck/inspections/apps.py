from __future__ import annotations

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "spotcheck.inspections"
    label = "inspections"
    verbose_name = "检查记录"
