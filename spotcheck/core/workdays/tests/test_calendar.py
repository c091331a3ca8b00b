"""Worked examples around the 2026 holidays, and the calendar's conventions."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from datetime import date, datetime

import pytest

from spotcheck.core.errors import DomainError
from spotcheck.core.workdays import WorkCalendar, YearArrangement, YearNotConfirmedError

# 2026 per 国办发明电〔2025〕7号: 元旦 1/1-1/3 (1/4 Sun worked); 春节 2/15-2/23 (2/14 Sat,
# 2/28 Sat worked); 劳动节 5/1-5/5 (5/9 Sat worked); 中秋节 9/25-9/27; 国庆节 10/1-10/7
# (9/20 Sun, 10/10 Sat worked).  Every row was also checked against chinesecalendar 1.11.0.
ADD_CASES = [
    # (start, n, expected, why)
    (date(2026, 1, 3), 1, date(2026, 1, 4), "元旦最后一天派发，次日周日调休上班即第1天"),
    (date(2025, 12, 31), 1, date(2026, 1, 4), "跨年：1月1日至3日放假，周日1月4日上班"),
    (date(2025, 12, 31), 2, date(2026, 1, 5), "调休周日之后是周一"),
    (date(2026, 1, 1), 1, date(2026, 1, 4), "元旦当天派发，仍有完整1个工作日"),
    (date(2026, 1, 4), 5, date(2026, 1, 9), "调休周日派发，不计当天"),
    (date(2026, 2, 13), 1, date(2026, 2, 14), "节前周五派发，周六2月14日调休上班"),
    (date(2026, 2, 14), 1, date(2026, 2, 24), "春节2月15日至23日整段跳过"),
    (date(2026, 2, 15), 1, date(2026, 2, 24), "春节假期内派发，不吃掉期限"),
    (date(2026, 2, 20), 3, date(2026, 2, 26), "节中工作日（周五）是假日"),
    (date(2026, 2, 24), 4, date(2026, 2, 28), "周六2月28日调休上班"),
    (date(2026, 2, 24), 5, date(2026, 3, 2), "3月1日周日照常休息"),
    (date(2026, 2, 10), 15, date(2026, 3, 9), "典型15个工作日期限横跨春节"),
    (date(2026, 4, 30), 1, date(2026, 5, 6), "劳动节5月1日至5日放假"),
    (date(2026, 5, 6), 3, date(2026, 5, 9), "周六5月9日调休上班"),
    (date(2026, 5, 9), 1, date(2026, 5, 11), "调休周六之后的周日照常休息"),
    (date(2026, 9, 19), 1, date(2026, 9, 20), "周日9月20日为国庆调休上班"),
    (date(2026, 9, 24), 1, date(2026, 9, 28), "中秋节9月25日至27日放假"),
    (date(2026, 9, 30), 1, date(2026, 10, 8), "国庆节10月1日至7日放假"),
    (date(2026, 10, 1), 3, date(2026, 10, 10), "国庆当天派发；周六10月10日调休上班"),
    (date(2026, 9, 18), 10, date(2026, 10, 9), "10个工作日横跨中秋和国庆"),
]

BETWEEN_CASES = [
    # (a, b, working days d with a < d <= b)
    (date(2025, 12, 31), date(2026, 1, 9), 6),
    (date(2026, 2, 13), date(2026, 2, 28), 6),
    (date(2026, 2, 14), date(2026, 2, 23), 0),
    (date(2026, 4, 30), date(2026, 5, 11), 5),
    (date(2026, 9, 18), date(2026, 10, 12), 12),
    (date(2026, 3, 2), date(2026, 3, 2), 0),
]


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"), ADD_CASES, ids=[f"{c[0]}+{c[1]}" for c in ADD_CASES]
)
def test_worked_examples_around_2026_holidays(
    cal: WorkCalendar, start: date, n: int, expected: date, why: str
) -> None:
    assert cal.add_working_days(start, n) == expected, why


@pytest.mark.parametrize(
    ("a", "b", "expected"), BETWEEN_CASES, ids=[f"{c[0]}..{c[1]}" for c in BETWEEN_CASES]
)
def test_working_days_between_counts_end_but_not_start(
    cal: WorkCalendar, a: date, b: date, expected: int
) -> None:
    assert cal.working_days_between(a, b) == expected


@pytest.mark.parametrize(
    "makeup",
    [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20)]
    + [date(2026, 10, 10)],
)
def test_2026_makeup_weekend_days_are_working_days(cal: WorkCalendar, makeup: date) -> None:
    assert makeup.weekday() >= 5
    assert cal.is_working_day(makeup)
    assert cal.holiday_name(makeup) is None


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 2), "元旦"),
        (date(2026, 2, 16), "春节"),
        (date(2026, 2, 23), "春节"),
        (date(2026, 4, 6), "清明节"),
        (date(2026, 5, 5), "劳动节"),
        (date(2026, 6, 19), "端午节"),
        (date(2026, 9, 25), "中秋节"),
        (date(2026, 10, 7), "国庆节"),
    ],
)
def test_2026_weekday_holidays_are_days_off_with_names(
    cal: WorkCalendar, day: date, name: str
) -> None:
    assert day.weekday() < 5
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) == name


def test_dispatch_on_holiday_still_gets_full_days(cal: WorkCalendar) -> None:
    # Dispatched on 春节 day one: the 3 days are the three working days after the break.
    assert cal.add_working_days(date(2026, 2, 15), 3) == date(2026, 2, 26)
    assert cal.add_working_days(date(2026, 2, 15), 3) == cal.add_working_days(date(2026, 2, 14), 3)


def test_dispatch_on_plain_weekend_still_gets_full_days(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert cal.add_working_days(date(2026, 3, 8), 1) == date(2026, 3, 9)


def test_between_is_negative_when_arguments_are_swapped(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 2, 28), date(2026, 2, 13)) == -6


def test_between_inverts_add(cal: WorkCalendar) -> None:
    start = date(2026, 2, 10)
    assert cal.working_days_between(start, cal.add_working_days(start, 15)) == 15


@pytest.mark.parametrize("n", [0, -1, -15])
def test_fewer_than_one_working_day_is_rejected(cal: WorkCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="至少为1"):
        cal.add_working_days(date(2026, 3, 2), n)


def test_confirmed_years_are_2020_to_2026(cal: WorkCalendar) -> None:
    assert cal.confirmed_years == frozenset(range(2020, 2027))


@pytest.mark.parametrize("day", [date(2027, 1, 4), date(2019, 12, 31), date(1999, 10, 1)])
def test_unconfirmed_year_is_refused_not_guessed(cal: WorkCalendar, day: date) -> None:
    with pytest.raises(YearNotConfirmedError) as info:
        cal.is_working_day(day)
    assert info.value.year == day.year
    assert str(info.value) == f"{day.year}年的节假日安排尚未确认"
    with pytest.raises(YearNotConfirmedError):
        cal.holiday_name(day)


def test_deadline_running_into_unconfirmed_year_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(YearNotConfirmedError) as info:
        cal.add_working_days(date(2026, 12, 20), 15)
    assert info.value.year == 2027
    with pytest.raises(YearNotConfirmedError):
        cal.working_days_between(date(2026, 12, 20), date(2027, 1, 5))


def test_start_day_is_not_inspected_so_it_may_be_unconfirmed(cal: WorkCalendar) -> None:
    # 2019 is not bundled, but only the days after the start are ever looked at.
    assert cal.add_working_days(date(2019, 12, 31), 1) == date(2020, 1, 2)
    assert cal.working_days_between(date(2019, 12, 31), date(2020, 1, 2)) == 1


def test_datetimes_are_refused_because_they_would_miss_every_holiday(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError, match="datetime"):
        cal.is_working_day(datetime(2026, 10, 1, 9, 0))  # noqa: DTZ001 - the value is irrelevant
    with pytest.raises(TypeError, match="datetime"):
        cal.add_working_days(datetime(2026, 9, 30, 9, 0), 1)  # noqa: DTZ001


def test_year_not_confirmed_is_a_domain_error_and_pickles() -> None:
    err = YearNotConfirmedError(2027)
    assert isinstance(err, DomainError)
    clone = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own object, round trip
    assert clone.year == 2027
    assert str(clone) == "2027年的节假日安排尚未确认"


def _arrangement(
    year: int = 2030,
    *,
    holidays: frozenset[date] | None = None,
    makeup_workdays: frozenset[date] = frozenset(),
    source_notice: str = "测试通知",
    names: Mapping[date, str] | None = None,
) -> YearArrangement:
    """Build a small valid synthetic arrangement (May Day off), with fields overridden."""
    return YearArrangement(
        year=year,
        holidays=frozenset({date(year, 5, 1)}) if holidays is None else holidays,
        makeup_workdays=makeup_workdays,
        source_notice=source_notice,
        names={} if names is None else names,
    )


def test_weekday_holiday_is_off_and_weekend_makeup_is_on() -> None:
    # 2030-05-01 is a Wednesday, 2030-05-04 a Saturday.
    cal = WorkCalendar(
        [_arrangement(makeup_workdays=frozenset({date(2030, 5, 4)}))],
    )
    assert not cal.is_working_day(date(2030, 5, 1))
    assert cal.is_working_day(date(2030, 5, 2))
    assert cal.is_working_day(date(2030, 5, 4))
    assert not cal.is_working_day(date(2030, 5, 5))


def test_holiday_without_recorded_name_has_no_name() -> None:
    cal = WorkCalendar([_arrangement()])
    assert not cal.is_working_day(date(2030, 5, 1))
    assert cal.holiday_name(date(2030, 5, 1)) is None


def test_same_year_twice_is_rejected() -> None:
    with pytest.raises(ValueError, match="重复"):
        WorkCalendar([_arrangement(), _arrangement()])


def test_arrangements_that_contradict_each_other_are_rejected() -> None:
    # The 2031 notice reaches back to a 2030 Saturday that 2030 already calls a makeup day.
    saturday = date(2030, 12, 28)
    with pytest.raises(ValueError, match="既是放假日又是调休上班日"):
        WorkCalendar(
            [
                _arrangement(2030, makeup_workdays=frozenset({saturday})),
                _arrangement(2031, holidays=frozenset({saturday, date(2031, 1, 1)})),
            ]
        )


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: _arrangement(makeup_workdays=frozenset({date(2030, 5, 2)})), "不是周末"),
        (
            lambda: _arrangement(
                holidays=frozenset({date(2030, 5, 4)}),
                makeup_workdays=frozenset({date(2030, 5, 4)}),
            ),
            "既是放假日又是调休上班日",
        ),
        (lambda: _arrangement(holidays=frozenset({date(2031, 1, 1)})), "不属于该年"),
        (lambda: _arrangement(holidays=frozenset({date(2029, 11, 30)})), "不属于该年"),
        (lambda: _arrangement(names={date(2030, 5, 2): "劳动节"}), "不是放假日"),
        (lambda: _arrangement(source_notice="  "), "来源"),
    ],
    ids=["weekday-makeup", "both", "next-year", "previous-november", "stray-name", "no-source"],
)
def test_impossible_arrangements_are_rejected(
    build: Callable[[], YearArrangement], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        build()


def test_previous_december_may_be_governed_by_next_years_notice() -> None:
    # Like 2022-12-31 in the 2023 notice: 元旦 joined to the weekend before it.
    arrangement = _arrangement(2031, holidays=frozenset({date(2030, 12, 31), date(2031, 1, 1)}))
    cal = WorkCalendar([_arrangement(2030), arrangement])
    assert not cal.is_working_day(date(2030, 12, 31))


def test_arrangement_is_immutable_and_hashable() -> None:
    arrangement = _arrangement(names={date(2030, 5, 1): "劳动节"})
    assert hash(arrangement) == hash(_arrangement(names={date(2030, 5, 1): "劳动节"}))
    with pytest.raises(TypeError):
        arrangement.names[date(2030, 5, 1)] = "别的"  # type: ignore[index]
