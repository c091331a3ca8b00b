from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.deadlines.selectors import next_year_warning, unread_notification_count


def deadlines(request: HttpRequest) -> dict[str, Any]:
    """Unread notifications for the nav badge; the calendar warning for the platform admin."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict[str, Any] = {"unread_notifications": unread_notification_count(user)}
    if access_platform_for_administering(user):
        context["calendar_warning"] = next_year_warning(timezone.localdate())
    return context
