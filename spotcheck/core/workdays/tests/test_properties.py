"""Property tests: the calendar's arithmetic holds for every start day and count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotcheck.core.workdays import (
    WorkCalendar,
    YearArrangement,
    YearNotConfirmedError,
    default_calendar,
)

CAL = default_calendar()

# Starts and counts chosen so that every walk stays inside the bundled years: 40 working
# days from 2026-10-31 end before 2026-12-31.
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 10, 31))
counts = st.integers(min_value=1, max_value=40)
confirmed_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
unconfirmed_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)).filter(
    lambda d: not 2020 <= d.year <= 2026
)

# database=None: keep these tests from writing a .hypothesis/ folder into the checkout.
props = settings(database=None, deadline=None)


@props
@given(starts, counts)
def test_add_then_between_round_trips(start: date, n: int) -> None:
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@props
@given(starts, counts)
def test_result_is_a_working_day_strictly_after_start(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)


@props
@given(starts, counts)
def test_result_is_strictly_monotonic_in_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@props
@given(starts, st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_adding_in_two_steps_equals_adding_at_once(start: date, m: int, n: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, m), n) == CAL.add_working_days(
        start, m + n
    )


@props
@given(st.dates(min_value=date(2020, 1, 2), max_value=date(2026, 10, 31)), counts)
def test_start_on_a_day_off_gives_the_same_deadline_as_the_last_working_day_before(
    start: date, n: int
) -> None:
    # Dispatching on a weekend or holiday neither gains nor loses days: it is as if
    # the task had come on the preceding working day, whose own day never counts either.
    # (2020-01-02 is a working day, so the walk back never leaves the bundled years.)
    previous = start
    while not CAL.is_working_day(previous):
        previous -= timedelta(days=1)
    assert CAL.add_working_days(start, n) == CAL.add_working_days(previous, n)


@props
@given(confirmed_days, confirmed_days)
def test_between_matches_a_brute_force_count_and_is_antisymmetric(a: date, b: date) -> None:
    low, high = min(a, b), max(a, b)
    brute = sum(
        CAL.is_working_day(low + timedelta(days=i)) for i in range(1, (high - low).days + 1)
    )
    assert CAL.working_days_between(low, high) == brute
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


@props
@given(confirmed_days, confirmed_days, confirmed_days)
def test_between_adds_up_over_adjacent_spans(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b) + CAL.working_days_between(
        b, c
    ) == CAL.working_days_between(a, c)


@props
@given(unconfirmed_days)
def test_any_day_in_an_unconfirmed_year_raises(day: date) -> None:
    with pytest.raises(YearNotConfirmedError) as info:
        CAL.is_working_day(day)
    assert info.value.year == day.year
    with pytest.raises(YearNotConfirmedError) as info:
        CAL.holiday_name(day)
    assert info.value.year == day.year


@props
@given(
    st.dates(min_value=date(2026, 12, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=25, max_value=400),
)
def test_walking_past_the_last_confirmed_year_raises(start: date, n: int) -> None:
    with pytest.raises(YearNotConfirmedError) as info:
        CAL.add_working_days(start, n)
    assert info.value.year == 2027


_YEAR = 2030
_year_days = st.dates(min_value=date(_YEAR, 1, 1), max_value=date(_YEAR, 12, 31))


@st.composite
def arrangements(draw: st.DrawFn) -> YearArrangement:
    """Draw an arbitrary but valid arrangement for one synthetic year."""
    holidays = draw(st.frozensets(_year_days, max_size=60))
    weekends = _year_days.filter(lambda d: d.weekday() >= 5 and d not in holidays)
    makeups = draw(st.frozensets(weekends, max_size=15))
    return YearArrangement(_YEAR, holidays, makeups, "合成数据")


@props
@given(arrangements(), st.dates(min_value=date(_YEAR, 1, 1), max_value=date(_YEAR, 10, 1)))
def test_any_valid_arrangement_follows_the_working_day_rule_and_round_trips(
    arrangement: YearArrangement, start: date
) -> None:
    cal = WorkCalendar([arrangement])
    for offset in range(60):
        d = start + timedelta(days=offset)
        expected = d in arrangement.makeup_workdays or (
            d.weekday() < 5 and d not in arrangement.holidays
        )
        assert cal.is_working_day(d) == expected
    try:
        end = cal.add_working_days(start, 20)
    except YearNotConfirmedError:
        return  # a holiday-heavy draw may legitimately run out of confirmed days
    assert cal.working_days_between(start, end) == 20
