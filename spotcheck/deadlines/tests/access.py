# ruff: noqa: E501  -- one row per URL, one column per persona
"""The working-day calendar (platform admin only) and 我的待办 (rows of the access matrix)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from spotcheck.deadlines.models import CalendarYear
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World


def build(w: World) -> list[int]:
    return calendar_load_bundled(actor=None)


def _years() -> list[tuple[int, bool]]:
    return sorted(CalendarYear.objects.values_list("year", "confirmed"))


def _home(w: World) -> Request:
    # the calendar opens on the current year
    this_year = reverse("deadlines:calendar_year", args=[timezone.localdate().year])
    return Request("get", reverse("deadlines:calendar_home"), next_url=this_year)


ADMIN_ONLY = (
    LOGIN,
    OK,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
)
ADMIN_ONLY_POST = (
    LOGIN,
    DONE,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
)
YEAR = reverse("deadlines:calendar_year", args=[2026])

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                   anonymous platform lead dept other parent insp other auditor
    "deadlines:calendar_home":         Case(_home, (LOGIN, DONE, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "deadlines:calendar_year":         Case(lambda w: Request("get", YEAR),                                  ADMIN_ONLY),
    "deadlines:calendar_day":          Case(lambda w: Request("get", reverse("deadlines:calendar_day", args=[2026, "2026-03-02"])), ADMIN_ONLY),
    # 2026 is already confirmed: opening it again is refused with a message on the year page
    "deadlines:calendar_year_open":    Case(lambda w: Request("post", reverse("deadlines:calendar_year_open"), {"year": "2026"}, YEAR), ADMIN_ONLY_POST, _years),
    "deadlines:calendar_year_confirm": Case(lambda w: Request("post", reverse("deadlines:calendar_year_confirm", args=[2026]), {}, YEAR), ADMIN_ONLY_POST, _years),
    "deadlines:dashboard":             Case(lambda w: Request("get", reverse("deadlines:dashboard")),       (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
    "deadlines:notifications_read":    Case(lambda w: Request("post", reverse("deadlines:notifications_read"), {}, reverse("deadlines:dashboard")), (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
}
# fmt: on
