# ruff: noqa: E501  -- one row per URL, one column per persona
"""The public pages: everyone, no login (rows of the access matrix, docs/access.md).

A task page is public once the task leaves 草稿 (the campaigns world's task is published);
its bundle exists only after the draw.  An unknown task is 404 for everyone.
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.common.access_matrix import NOT_FOUND, OK, Case, Request, World

EVERYONE = (OK, OK, OK, OK, OK, OK, OK, OK, OK)
NOBODY = (NOT_FOUND,) * 9


def _task(w: World) -> int:
    return w.app["campaigns"].task.pk


# fmt: off
CASES: dict[str, Case] = {
    "publicity:home":                Case(lambda w: Request("get", reverse("publicity:home")), EVERYONE),
    "publicity:items":               Case(lambda w: Request("get", reverse("publicity:items")), EVERYONE),
    "publicity:plans":               Case(lambda w: Request("get", reverse("publicity:plans")), EVERYONE),
    "publicity:tasks":               Case(lambda w: Request("get", reverse("publicity:tasks")), EVERYONE),
    "publicity:task_detail":         Case(lambda w: Request("get", reverse("publicity:task_detail", args=[_task(w)])), EVERYONE),
    "publicity:task_detail unknown": Case(lambda w: Request("get", reverse("publicity:task_detail", args=[999999])), NOBODY),
    "publicity:task_bundle":         Case(lambda w: Request("get", reverse("publicity:task_bundle", args=[_task(w)])), NOBODY),
}
# fmt: on
