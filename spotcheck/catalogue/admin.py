from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from spotcheck.catalogue.models import InspectionItem, ResultCode


@admin.register(ResultCode)
class ResultCodeAdmin(admin.ModelAdmin):
    """The national code table is reference data: read-only here."""

    list_display = ["code", "label", "parent", "exclusive", "requires_child", "needs_follow_up"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):
    """Items are edited on the catalogue pages, whose services audit every change."""

    list_display = ["code", "name", "department", "item_class", "ratio_min", "ratio_max"]
    list_filter = ["department", "item_class", "is_active"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
