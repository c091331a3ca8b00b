from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from spotcheck.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "event_type", "target_label"]
    list_filter = ["event_type"]
    search_fields = ["actor_label", "target_label", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
