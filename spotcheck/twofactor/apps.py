from __future__ import annotations

from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "spotcheck.twofactor"
    label = "twofactor"
    verbose_name = "两步验证"
