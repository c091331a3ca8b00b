from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from spotcheck.deadlines.choices import DayKind, DeadlineKind
from spotcheck.deadlines.models import CalendarDay, CalendarYear, Notification
from spotcheck.deadlines.services import deadline_open, deadlines_remind
from spotcheck.testing.personas import Departments

CALENDAR_PAGES = ["/calendar/", "/calendar/2026/", "/calendar/2026/2026-10-10/"]


@pytest.mark.parametrize("url", CALENDAR_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("platform_admin", 200),
        ("lead_admin", 404),
        ("dept_admin", 404),
        ("inspector", 404),
        ("auditor", 404),
        ("anonymous", 302),
    ],
)
def test_calendar_pages_belong_to_the_platform_admin(
    calendar: list[int],
    persona_client: Callable[[str], Client],
    url: str,
    persona: str,
    status: int,
) -> None:
    response = persona_client(persona).get(url, follow=url == "/calendar/" and status == 200)

    assert response.status_code == status


def test_month_grid_shows_holidays_and_makeup_days(
    calendar: list[int], persona_client: Callable[[str], Client]
) -> None:
    html = persona_client("platform_admin").get("/calendar/2026/").content.decode()

    assert "国办发明电〔2025〕7号" in html
    assert 'class="cal-makeup_workday" title=""' in html
    assert "全年工作日 248 天" in html


def test_admin_enters_and_confirms_a_new_year(
    calendar: list[int], persona_client: Callable[[str], Client]
) -> None:
    client = persona_client("platform_admin")

    # when: open 2027, mark 2027-02-06 (Saturday) a make-up working day, confirm
    client.post("/calendar/new-year/", {"year": "2027"})
    client.post("/calendar/2027/2027-02-06/", {"kind": DayKind.MAKEUP_WORKDAY, "name": ""})
    response = client.post("/calendar/2027/confirm/", {"source_notice": "国办发明电〔2026〕X号"})

    # then
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.confirmed is True
    assert CalendarDay.objects.get(day=dt.date(2027, 2, 6)).kind == DayKind.MAKEUP_WORKDAY


def test_weekday_makeup_is_refused_with_a_chinese_message(
    calendar: list[int], persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("platform_admin").post(
        "/calendar/2026/2026-03-04/", {"kind": DayKind.MAKEUP_WORKDAY, "name": ""}
    )

    assert response.status_code == 200
    assert "调休上班日只能是周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(day=dt.date(2026, 3, 4)).exists()


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
def test_platform_admin_sees_the_next_year_warning(
    calendar: list[int], persona_client: Callable[[str], Client]
) -> None:
    admin_html = persona_client("platform_admin").get("/workbench/").content.decode()
    dept_html = persona_client("dept_admin").get("/workbench/").content.decode()

    assert "2027年的节假日安排尚未确认" in admin_html
    assert "2027年的节假日安排尚未确认" not in dept_html


@pytest.mark.parametrize(
    "persona",
    ["platform_admin", "lead_admin", "dept_admin", "other_dept_admin", "inspector", "auditor"],
)
def test_every_role_has_a_dashboard(
    calendar: list[int], persona_client: Callable[[str], Client], persona: str
) -> None:
    response = persona_client(persona).get("/deadlines/")

    assert response.status_code == 200
    assert "我的待办与超期" in response.content.decode()


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC), tick=False)
def test_dashboard_lists_overdue_first_with_counts(
    calendar: list[int],
    departments: Departments,
    persona_client: Callable[[str], Client],
    dept_admin: object,
) -> None:
    # given one overdue and one open deadline of 市场监管局
    for days, title in ((2, "比对确认（超期）"), (20, "录入结果")):
        deadline_open(
            actor=None,
            kind=DeadlineKind.OTHER,
            title=title,
            department=departments.market,
            start_event="派发",
            start_date=dt.date(2026, 3, 2),
            working_days=days,
        )
    deadlines_remind(today=dt.date(2026, 3, 5))

    # when
    html = persona_client("dept_admin").get("/deadlines/").content.decode()

    # then
    assert html.index("比对确认（超期）") < html.index("录入结果")
    assert 'data-testid="count-overdue">1<' in html
    assert 'data-testid="count-open">1<' in html
    # the admin owns the unassigned deadline: told it was missed, not escalated to as well
    assert 'data-testid="unread-count">1<' in html


def test_mark_all_read(
    calendar: list[int],
    departments: Departments,
    persona_client: Callable[[str], Client],
    dept_admin: object,
) -> None:
    deadline_open(
        actor=None,
        kind=DeadlineKind.OTHER,
        title="比对确认",
        department=departments.market,
        start_event="派发",
        start_date=dt.date(2026, 3, 2),
        working_days=2,
    )
    deadlines_remind(today=dt.date(2026, 3, 3))

    persona_client("dept_admin").post("/deadlines/notifications/read/")

    assert Notification.objects.filter(read_at__isnull=True).count() == 0
