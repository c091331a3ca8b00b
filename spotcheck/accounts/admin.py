from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.services import department_create, department_update


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "region", "parent", "is_active"]
    search_fields = ["name", "short_name"]
    list_filter = ["is_active"]
    autocomplete_fields = ["region", "parent"]
    readonly_fields = ["path"]

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        # Writes go through the services so that the path and the audit record are kept.
        if change:
            department_update(
                actor=request.user,
                # the form has already written onto obj; diff against the stored row
                department=Department.objects.get(pk=obj.pk),
                **{field: form.cleaned_data[field] for field in form.changed_data},
            )
        else:
            created = department_create(
                actor=request.user,
                name=obj.name,
                short_name=obj.short_name,
                region=obj.region,
                parent=obj.parent,
            )
            obj.pk = created.pk
            obj.path = created.path


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "is_active"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("平台角色"), {"fields": ("display_name", "role", "department", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("平台角色"), {"fields": ("display_name", "role", "department")}),
    )
