"""django-axes under a Chinese name in the admin (its own app config has none)."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录防护"
