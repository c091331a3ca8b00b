from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from spotcheck.audit.models import AuditEvent
from spotcheck.core.workdays import YearNotConfirmedError
from spotcheck.deadlines.choices import DayKind
from spotcheck.deadlines.models import CalendarDay, CalendarYear
from spotcheck.deadlines.selectors import next_year_warning, work_calendar
from spotcheck.deadlines.services import (
    calendar_day_set,
    calendar_load_bundled,
    calendar_year_confirm,
    calendar_year_open,
)


def test_loader_fills_every_reviewed_year(calendar: list[int]) -> None:
    assert calendar == [2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert CalendarYear.objects.get(year=2026).source_notice == "国办发明电〔2025〕7号"
    assert set(
        CalendarDay.objects.filter(day__year=2026, kind=DayKind.MAKEUP_WORKDAY).values_list(
            "day", flat=True
        )
    ) == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }


def test_loading_twice_changes_nothing(calendar: list[int]) -> None:
    # given
    days = CalendarDay.objects.count()
    events = AuditEvent.objects.count()

    # when
    loaded = calendar_load_bundled(actor=None)

    # then
    assert loaded == []
    assert CalendarDay.objects.count() == days
    assert AuditEvent.objects.count() == events


def test_table_calendar_matches_the_data_files(calendar: list[int]) -> None:
    cal = work_calendar()

    assert cal.add_working_days(dt.date(2026, 1, 3), 1) == dt.date(2026, 1, 4)
    assert cal.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert cal.holiday_name(dt.date(2026, 2, 17)) == "春节"
    assert cal.working_days_between(dt.date(2025, 12, 31), dt.date(2026, 12, 31)) == 248


def test_unconfirmed_draft_year_is_not_used(calendar: list[int]) -> None:
    # given a 2027 draft with one holiday entered
    calendar_year_open(actor=None, year=2027)
    calendar_day_set(actor=None, day=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")

    # when / then
    with pytest.raises(YearNotConfirmedError):
        work_calendar().is_working_day(dt.date(2027, 1, 4))


def test_makeup_workday_on_a_weekday_is_refused(calendar: list[int]) -> None:
    calendar_year_open(actor=None, year=2027)

    with pytest.raises(ValidationError) as exc:
        calendar_day_set(actor=None, day=dt.date(2027, 1, 6), kind=DayKind.MAKEUP_WORKDAY)

    assert exc.value.message_dict == {"kind": ["调休上班日只能是周六或周日"]}
    assert not CalendarDay.objects.filter(day=dt.date(2027, 1, 6)).exists()


def test_setting_a_day_needs_its_year(calendar: list[int]) -> None:
    with pytest.raises(ValidationError) as exc:
        calendar_day_set(actor=None, day=dt.date(2028, 1, 1), kind=DayKind.HOLIDAY)

    assert exc.value.message_dict == {"day": ["请先新建2028年的节假日安排"]}


def test_confirm_needs_the_notice_number(calendar: list[int]) -> None:
    calendar_year_open(actor=None, year=2027)

    with pytest.raises(ValidationError):
        calendar_year_confirm(actor=None, year=2027, source_notice="  ")

    assert CalendarYear.objects.get(year=2027).confirmed is False


def test_clearing_a_day_restores_the_weekday_rule(calendar: list[int]) -> None:
    # given 2026-10-10 (Saturday) is a make-up working day
    assert work_calendar().is_working_day(dt.date(2026, 10, 10)) is True

    # when
    calendar_day_set(actor=None, day=dt.date(2026, 10, 10), kind="")

    # then
    assert work_calendar().is_working_day(dt.date(2026, 10, 10)) is False
    event = AuditEvent.objects.filter(event_type="calendar.day.set").latest("id")
    assert event.data["before"] == {"kind": "makeup_workday", "name": ""}


@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (dt.date(2026, 9, 30), False),
        (dt.date(2026, 10, 1), True),
        (dt.date(2026, 12, 31), True),
    ],
)
def test_warning_from_october_when_next_year_is_missing(
    calendar: list[int], today: dt.date, warned: bool
) -> None:
    assert (next_year_warning(today) is not None) is warned


def test_no_warning_once_next_year_is_confirmed(calendar: list[int]) -> None:
    calendar_year_open(actor=None, year=2027)
    calendar_year_confirm(actor=None, year=2027, source_notice="国办发明电〔2026〕X号")

    assert next_year_warning(dt.date(2026, 11, 26)) is None
