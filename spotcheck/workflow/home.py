"""The signed-in landing page (工作台): the user's to-do list, then figures from the
directory for the user's scope."""

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
from spotcheck.workflow.todos import todos_by_urgency, todos_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    todos = todos_for_user(user, today=today)
    # the menu's badge reads this instead of counting again (workflow.context_processors)
    request.todo_count = len(todos)  # type: ignore[attr-defined]
    entities = entity_list_for_user(user)
    return render(
        request,
        "common/home.html",
        {
            "todo_groups": todos_by_urgency(todos),
            "todo_total": len(todos),
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
