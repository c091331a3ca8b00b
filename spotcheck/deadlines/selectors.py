"""Reads: the working calendar built from the table, deadlines and notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids
from spotcheck.core.workdays import WorkCalendar, YearArrangement, YearNotConfirmedError
from spotcheck.deadlines.choices import DayKind, DeadlineState
from spotcheck.deadlines.models import CalendarDay, CalendarYear, Deadline, Notification

ESTIMATE_NOTICE = "暂定：该年度节假日安排尚未确认，按周末估算"
# How far past the last known year an estimate may reach (a 20-working-day limit
# started in late December needs the next year; two spare years is plenty).
_ESTIMATE_SPAN_YEARS = 2


def _arrangement(year: CalendarYear, days: list[CalendarDay], notice: str) -> YearArrangement:
    return YearArrangement(
        year=year.year,
        holidays=frozenset(d.day for d in days if d.kind == DayKind.HOLIDAY),
        makeup_workdays=frozenset(d.day for d in days if d.kind == DayKind.MAKEUP_WORKDAY),
        source_notice=notice,
        names={d.day: d.name for d in days if d.kind == DayKind.HOLIDAY and d.name},
    )


def _years_with_days() -> list[tuple[CalendarYear, list[CalendarDay]]]:
    years = list(CalendarYear.objects.order_by("year"))
    days_by_year: dict[int, list[CalendarDay]] = {y.pk: [] for y in years}
    for day in CalendarDay.objects.all():
        days_by_year[day.calendar_year_id].append(day)
    return [(year, days_by_year[year.pk]) for year in years]


def work_calendar() -> WorkCalendar:
    """Return the calendar of confirmed years only: the one real deadlines use."""
    return WorkCalendar(
        _arrangement(year, days, year.source_notice)
        for year, days in _years_with_days()
        if year.confirmed
    )


def estimate_calendar(*, through_year: int) -> WorkCalendar:
    """Return a calendar that also covers unconfirmed years, for 暂定 deadlines.

    Draft entries of an unconfirmed year are used; a year with no entries at all
    counts Monday to Friday as working days.
    """
    known = _years_with_days()
    arrangements = [
        _arrangement(year, days, year.source_notice if year.confirmed else ESTIMATE_NOTICE)
        for year, days in known
    ]
    present = {year.year for year, _ in known}
    first = min(present, default=through_year)
    for missing in range(first, through_year + _ESTIMATE_SPAN_YEARS + 1):
        if missing not in present:
            arrangements.append(
                YearArrangement(
                    year=missing,
                    holidays=frozenset(),
                    makeup_workdays=frozenset(),
                    source_notice=ESTIMATE_NOTICE,
                )
            )
    return WorkCalendar(arrangements)


@dataclass(frozen=True)
class DueDate:
    """A computed due date; ``provisional`` when it rests on an unconfirmed year."""

    day: dt.date
    provisional: bool


def due_date_for(start: dt.date, working_days: int) -> DueDate:
    """Return the n-th working day after ``start``, marked 暂定 when a year is unconfirmed."""
    try:
        return DueDate(work_calendar().add_working_days(start, working_days), False)
    except YearNotConfirmedError:
        estimate = estimate_calendar(through_year=start.year)
        return DueDate(estimate.add_working_days(start, working_days), True)


def working_days_left(today: dt.date, due: dt.date) -> int:
    """Return the working days from today to the due date (negative when overdue)."""
    try:
        return work_calendar().working_days_between(today, due)
    except YearNotConfirmedError:
        through = max(today.year, due.year)
        return estimate_calendar(through_year=through).working_days_between(today, due)


def next_year_warning(today: dt.date) -> str | None:
    """From 1 October, warn when next year's holiday arrangement is not confirmed."""
    if today.month < 10:
        return None
    if CalendarYear.objects.filter(year=today.year + 1, confirmed=True).exists():
        return None
    return (
        f"{today.year + 1}年的节假日安排尚未确认。国务院办公厅通知发布后请及时录入并确认，"
        f"在此之前落在{today.year + 1}年的办理时限均为暂定。"
    )


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def calendar_days_of(year: int) -> dict[dt.date, CalendarDay]:
    """Return the exceptions recorded for the days of a calendar year."""
    return {d.day: d for d in CalendarDay.objects.filter(day__year=year)}


def deadline_list_for_user(user: User, *, state: str = "") -> QuerySet[Deadline]:
    """Return the deadlines a user answers for or oversees, most urgent first.

    The lead office, the platform admin and the auditor see every department;
    a department admin sees their subtree; an inspector sees what is assigned to them.
    """
    qs = Deadline.objects.select_related("department", "assignee")
    if not user.is_authenticated:
        return qs.none()
    if access_records_for_inspecting(user):
        qs = qs.filter(assignee=user)
    else:
        ids = readable_department_ids(user)
        if ids is not None:
            qs = qs.filter(department__in=ids)
    if state:
        qs = qs.filter(state=state)
    urgency = Case(
        When(state=DeadlineState.OVERDUE, then=Value(0)),
        When(state=DeadlineState.OPEN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(urgency=urgency).order_by("urgency", "due_date", "id")


def deadline_counts_for_user(user: User, *, today: dt.date) -> dict[str, int]:
    """Count a user's deadlines: open, due within two working days, overdue, done."""
    qs = deadline_list_for_user(user)
    open_ = qs.filter(state=DeadlineState.OPEN)
    soon_until = due_date_for(today, 2).day
    return {
        "open": open_.count(),
        "due_soon": open_.filter(due_date__lte=soon_until).count(),
        "overdue": qs.filter(state=DeadlineState.OVERDUE).count(),
        "done": qs.filter(state=DeadlineState.DONE).count(),
        "provisional": qs.filter(~Q(state=DeadlineState.DONE), provisional=True).count(),
    }


def notification_list_for_user(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("deadline")


def unread_notification_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
