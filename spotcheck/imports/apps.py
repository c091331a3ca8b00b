from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "spotcheck.imports"
    label = "imports"
    verbose_name = "名录导入"
