# ruff: noqa: E501  -- one row per URL, one column per persona
"""The public pages: everyone, no login (rows of the access matrix, docs/access.md).

A task page is public once the task leaves 草稿 (the campaigns world's task is published);
its bundle exists only after the draw.  An unknown task is 404 for everyone.
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.testing.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World

EVERYONE = (OK, OK, OK, OK, OK, OK, OK, OK, OK)
NOBODY = (NOT_FOUND,) * 9
# signed in, and the record or publication in the user's scope (none in this world)
SIGNED_IN_NONE_IN_SCOPE = (LOGIN,) + (NOT_FOUND,) * 8
# the outbox to 国家企业信用信息公示系统: the platform admin only
PLATFORM_ONLY = (LOGIN, OK) + (NOT_FOUND,) * 7


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
    "publicity:attempt_bundle":      Case(lambda w: Request("get", reverse("publicity:attempt_bundle", args=[_task(w), 1])), NOBODY),
    # published results, the enterprise look-up and open data: public, no login
    "publicity:results":             Case(lambda w: Request("get", reverse("publicity:results")), EVERYONE),
    "publicity:result_detail":       Case(lambda w: Request("get", reverse("publicity:result_detail", args=[999999])), NOBODY),
    "publicity:lookup":              Case(lambda w: Request("get", reverse("publicity:lookup"), {"q": "晋州市甲食品"}), EVERYONE),
    "publicity:open_data":           Case(lambda w: Request("get", reverse("publicity:open_data")), EVERYONE),
    "publicity:open_data_file":      Case(lambda w: Request("get", reverse("publicity:open_data_file", args=[2026, "json"])), EVERYONE),
    "publicity:open_data_api":       Case(lambda w: Request("get", reverse("publicity:open_data_api")), EVERYONE),
    "publicity:record_results":      Case(lambda w: Request("get", reverse("publicity:record_results", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
    "publicity:correct":             Case(lambda w: Request("get", reverse("publicity:correct", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
    "publicity:outbox":              Case(lambda w: Request("get", reverse("publicity:outbox")), PLATFORM_ONLY),
    "publicity:outbox_export":       Case(lambda w: Request("get", reverse("publicity:outbox_export", args=["csv"])), PLATFORM_ONLY),
    "publicity:outbox_resend":       Case(lambda w: Request("post", reverse("publicity:outbox_resend", args=[999999])), SIGNED_IN_NONE_IN_SCOPE),
}
# fmt: on
