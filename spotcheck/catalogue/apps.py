from __future__ import annotations

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "spotcheck.catalogue"
    label = "catalogue"
    verbose_name = "抽查事项清单"
