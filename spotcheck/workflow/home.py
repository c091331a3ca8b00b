"""The signed-in landing page (工作台): figures from the directory for the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from spotcheck.accounts.selectors import user_can_write_any
from spotcheck.directory.selectors import (
    EntityFilter,
    InspectorFilter,
    entity_list_for_user,
    inspector_list_for_user,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    entities = entity_list_for_user(user)
    return render(
        request,
        "common/home.html",
        {
            "entity_count": entities.count(),
            "entity_by_class": {
                cls: entity_list_for_user(user, EntityFilter(risk_class=cls)).count()
                for cls in ("A", "B", "C", "D")
            },
            "inspector_count": inspector_list_for_user(user).count(),
            "drawable_count": inspector_list_for_user(
                user, InspectorFilter(drawable="yes"), today=today
            ).count(),
            "can_write": user_can_write_any(user),
        },
    )
