from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "spotcheck.api"
    label = "api"
    verbose_name = "对接接口"
