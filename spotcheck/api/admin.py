from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from spotcheck.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed for the record; issue and revoke them with the commands."""

    list_display = ["name", "key_prefix", "user", "created_at", "revoked_at"]
    search_fields = ["name", "key_prefix", "user__username"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
