"""The count of the user's to-do items, for the badge on the 工作台 menu item."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from spotcheck.workflow.todos import todo_count_for_user

# URL namespaces of the public pages: no badge there (and no query for it).
PUBLIC_NAMESPACES = frozenset({"publicity"})


def todos(request: HttpRequest) -> dict[str, Any]:
    """``todo_count`` for signed-in users on the platform's own pages.

    The home page has just built the list: its length is reused. Anonymous visitors,
    the public pages and the error pages get nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace in PUBLIC_NAMESPACES:
        return {}
    count = getattr(request, "todo_count", None)
    if count is None:
        count = todo_count_for_user(user, today=timezone.localdate())
    return {"todo_count": count}
