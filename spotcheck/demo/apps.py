from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "spotcheck.demo"
    label = "demo"
    verbose_name = "演示场景"
