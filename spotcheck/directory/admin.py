"""Django admin for maintenance; edits go through the services so they are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from spotcheck.directory.models import (
    Avoidance,
    Entity,
    EntityRiskHistory,
    Inspector,
    ItemType,
    Speciality,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name"]


@admin.register(Speciality)
class SpecialityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(ItemType)
class ItemTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name"]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RiskHistoryInline(_ReadOnlyInline):
    model = EntityRiskHistory
    fields = ["changed_at", "old_class", "new_class", "source", "as_of", "changed_by"]
    readonly_fields = fields


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """Read-mostly: officials edit entities on the directory pages, which audit every change."""

    list_display = ["name", "uscc", "entity_type", "risk_class", "reg_status", "region"]
    list_filter = ["entity_type", "risk_class", "reg_status", "tags", "supervising_departments"]
    search_fields = ["name", "uscc", "reg_no"]
    inlines = [RiskHistoryInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspector)
class InspectorAdmin(admin.ModelAdmin):
    list_display = ["name", "certificate_no", "department", "status", "certificate_valid_until"]
    list_filter = ["status", "category", "department", "is_expert"]
    search_fields = ["name", "certificate_no"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Avoidance)
class AvoidanceAdmin(admin.ModelAdmin):
    list_display = ["inspector", "entity", "reason_type", "created_at"]
    list_filter = ["reason_type"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
