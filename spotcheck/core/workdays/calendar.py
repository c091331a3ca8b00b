"""Count working days under the State Council's yearly holiday arrangements.

China's working calendar is not a rule that can be computed: every year the
国务院办公厅 publishes a notice (e.g. 国办发明电〔2025〕7号 for 2026) that moves
days off and declares some weekend days working days (调休上班).  A deadline such as
"15个工作日内" can therefore only be computed for years whose notice is known, and
this module refuses to guess for any other year: it raises `YearNotConfirmedError`.

Conventions used throughout:

* A day is a working day when it is a weekday (Mon-Fri) that is not a holiday day
  off, or when it is a weekend day declared a make-up working day.
* `WorkCalendar.add_working_days(start, n)` is the n-th working day strictly after
  ``start``.  ``start`` itself never counts, whatever kind of day it is, so a task
  dispatched on a holiday or a weekend still gets n full working days.  ``n < 1``
  raises ``ValueError``: "zero working days later" has no sensible meaning for a
  deadline, and silently returning ``start`` would hide a configuration error.
* `WorkCalendar.working_days_between(a, b)` counts the working days d with
  ``a < d <= b`` (start excluded, end included, matching `add_working_days`), and is
  antisymmetric: for ``b < a`` it returns ``-working_days_between(b, a)``.  Hence
  ``working_days_between(a, add_working_days(a, n)) == n`` and counts over adjacent
  spans add up.
* Arguments are `datetime.date`; a `datetime.datetime` is refused with ``TypeError``
  because it never compares equal to a date and would slip past every holiday.

A year counts as confirmed once its own notice is loaded.  Note that the *next*
year's notice may still reach back into the last days of December when it joins
元旦 to the weekend before (2022-12-31 was set by the 2023 notice; in 2018 the 2019
notice even made Sat 12-29 a working day and Mon 12-31 a day off).  Until that
notice exists, late-December days follow the current year's notice alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from spotcheck.core.errors import DomainError

__all__ = ["WorkCalendar", "YearArrangement", "YearNotConfirmedError"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday == 0 ... Sunday == 6


class YearNotConfirmedError(DomainError):
    """Signal that a computation needs a year whose holiday arrangement is not known."""

    def __init__(self, year: int) -> None:
        """Record the unconfirmed ``year`` and build the user-facing message."""
        self.year = year
        super().__init__(f"{year}年的节假日安排尚未确认")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by year: the default would pass the message back as ``year``."""
        return (type(self), (self.year,))


def _is_weekend(d: date) -> bool:
    """Return whether ``d`` falls on a Saturday or Sunday."""
    return d.weekday() >= _SATURDAY


@dataclass(frozen=True)
class YearArrangement:
    """Hold one year's official arrangement: days off, make-up working days, source.

    ``holidays`` are the days off the notice grants ("X日至Y日放假调休"); weekend
    days inside such a block may be listed or not, it changes nothing.  A notice can
    reach back into the previous December when 元旦 is joined to the weekend before
    it (the 2023 notice gives 2022-12-31 off), so December dates of ``year - 1`` are
    accepted too.  ``names`` maps holiday days to the block name used in the notice,
    e.g. "春节" or "国庆节、中秋节" where the notice merges two festivals.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source_notice: str
    # Excluded from the hash because a mapping is unhashable; equality still compares it.
    names: Mapping[date, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        """Reject arrangements that no real notice could produce; freeze ``names``."""
        for d in self.holidays | self.makeup_workdays:
            if not self._within_reach(d):
                msg = f"{self.year}年安排中的日期 {d} 不属于该年"
                raise ValueError(msg)
        clash = self.holidays & self.makeup_workdays
        if clash:
            msg = f"{self.year}年安排中 {min(clash)} 既是放假日又是调休上班日"
            raise ValueError(msg)
        weekday_makeups = sorted(d for d in self.makeup_workdays if not _is_weekend(d))
        if weekday_makeups:
            # A make-up working day on a weekday is a no-op and almost surely a typo.
            msg = f"{self.year}年安排中的调休上班日 {weekday_makeups[0]} 不是周末"
            raise ValueError(msg)
        stray = sorted(set(self.names) - self.holidays)
        if stray:
            msg = f"{self.year}年安排中 {stray[0]} 有节日名称但不是放假日"
            raise ValueError(msg)
        if not self.source_notice.strip():
            msg = f"{self.year}年安排缺少来源通知"
            raise ValueError(msg)
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def _within_reach(self, d: date) -> bool:
        """Return whether a notice for ``self.year`` may legitimately govern ``d``."""
        return d.year == self.year or (d.year == self.year - 1 and d.month == 12)


class WorkCalendar:
    """Answer working-day questions for the years whose arrangements it was given."""

    def __init__(self, arrangements: Iterable[YearArrangement]) -> None:
        """Merge ``arrangements``; reject duplicate years and contradicting entries."""
        years: set[int] = set()
        holidays: dict[date, str | None] = {}
        makeups: set[date] = set()
        for arrangement in arrangements:
            if arrangement.year in years:
                msg = f"{arrangement.year}年的节假日安排重复提供"
                raise ValueError(msg)
            years.add(arrangement.year)
            for d in arrangement.holidays:
                holidays[d] = arrangement.names.get(d)
            makeups |= arrangement.makeup_workdays
        clash = makeups & holidays.keys()
        if clash:
            msg = f"{min(clash)} 在不同年份的安排中既是放假日又是调休上班日"
            raise ValueError(msg)
        self._years = frozenset(years)
        self._holidays: Mapping[date, str | None] = MappingProxyType(holidays)
        self._makeups = frozenset(makeups)

    def __repr__(self) -> str:
        """Show which years the calendar covers."""
        return f"WorkCalendar(confirmed_years={sorted(self._years)})"

    @property
    def confirmed_years(self) -> frozenset[int]:
        """Return the years whose official arrangement this calendar holds."""
        return self._years

    def _require(self, d: date) -> None:
        """Raise `YearNotConfirmedError` unless ``d`` lies in a confirmed year."""
        if isinstance(d, datetime):
            # A datetime never equals a date, so every holiday lookup would miss.
            msg = f"需要日期（date），收到的是日期时间（datetime）：{d!r}"
            raise TypeError(msg)
        if d.year not in self._years:
            raise YearNotConfirmedError(d.year)

    def is_working_day(self, d: date) -> bool:
        """Return whether ``d`` is a working day; raise if its year is unconfirmed."""
        self._require(d)
        if d in self._makeups:
            return True
        return not _is_weekend(d) and d not in self._holidays

    def holiday_name(self, d: date) -> str | None:
        """Return the holiday block name for ``d``, or None when none is recorded.

        None means ``d`` is not an official day off, or that the arrangement it came
        from carries no names; use `is_working_day` to ask whether work is due.
        """
        self._require(d)
        return self._holidays.get(d)

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day strictly after ``start`` (``n >= 1``).

        ``start`` is never counted nor inspected, so it may lie in an unconfirmed
        year; every day walked over afterwards must be confirmed.
        """
        if n < 1:
            msg = f"工作日天数必须至少为1，当前为{n}"
            raise ValueError(msg)
        d = start
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Return the number of working days d with ``a < d <= b``; negative if ``b < a``.

        The count excludes ``a`` and includes ``b`` so that it inverts
        `add_working_days`.  Swapping the arguments negates the result, which keeps
        sums over adjacent spans exact: ``between(a, b) + between(b, c) == between(a, c)``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a
        while d < b:
            d += _ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count
