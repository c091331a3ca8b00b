"""Compute legal deadlines in working days under China's official holiday arrangements.

Typical use::

    from spotcheck.core.workdays import default_calendar

    deadline = default_calendar().add_working_days(dispatched_on, 15)

Years without a bundled State Council notice raise `YearNotConfirmedError`
instead of being guessed; see ``README.md`` for how to add a new year.
"""

from __future__ import annotations

from spotcheck.core.workdays.calendar import (
    WorkCalendar,
    YearArrangement,
    YearNotConfirmedError,
)
from spotcheck.core.workdays.loader import (
    CalendarDataError,
    default_calendar,
    load_bundled,
    load_directory,
    load_year_file,
)

__all__ = [
    "CalendarDataError",
    "WorkCalendar",
    "YearArrangement",
    "YearNotConfirmedError",
    "default_calendar",
    "load_bundled",
    "load_directory",
    "load_year_file",
]
