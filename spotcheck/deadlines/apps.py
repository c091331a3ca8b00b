from __future__ import annotations

from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "spotcheck.deadlines"
    label = "deadlines"
    verbose_name = "工作日与时限"
