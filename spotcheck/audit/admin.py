from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from spotcheck.audit.labels import EVENT_LABELS, event_label, target_type_label
from spotcheck.audit.models import AuditEvent


class EventTypeFilter(admin.SimpleListFilter):
    title = "事件类型"
    parameter_name = "event_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(EVENT_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet:
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "event", "target_label", "target"]
    list_filter = [EventTypeFilter]
    search_fields = ["actor_label", "target_label", "target_id"]
    fields = [
        "seq",
        "created_at",
        "actor",
        "actor_label",
        "event",
        "target",
        "target_id",
        "target_label",
        "data",
        "hash_algorithm",
        "prev_hash",
        "entry_hash",
    ]
    readonly_fields = ["event", "target"]

    @admin.display(description="事件类型", ordering="event_type")
    def event(self, obj: AuditEvent) -> str:
        return event_label(obj.event_type)

    @admin.display(description="对象类型", ordering="target_type")
    def target(self, obj: AuditEvent) -> str:
        return target_type_label(obj.target_type)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
