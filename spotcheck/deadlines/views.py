"""The calendar month grid (platform admin) and the deadline dashboard (every role)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.core.workdays import YearNotConfirmedError
from spotcheck.deadlines.choices import DayKind
from spotcheck.deadlines.forms import (
    CalendarConfirmForm,
    CalendarDayForm,
    CalendarYearOpenForm,
    DeadlineFilterForm,
)
from spotcheck.deadlines.selectors import (
    calendar_days_of,
    calendar_year_get,
    deadline_counts_for_user,
    deadline_list_for_user,
    notification_list_for_user,
    work_calendar,
)
from spotcheck.deadlines.services import (
    calendar_day_set,
    calendar_year_confirm,
    calendar_year_open,
    notifications_mark_read,
)

_WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]


def _require_platform_admin(request: HttpRequest) -> None:
    if not access_platform_for_administering(request.user):
        raise Http404


def _error_text(exc: ValidationError) -> str:
    return "；".join(m for messages_ in exc.message_dict.values() for m in messages_)


@login_required
def calendar_home(request: HttpRequest) -> HttpResponse:
    _require_platform_admin(request)
    return redirect("deadlines:calendar_year", year=timezone.localdate().year)


def _month_grid(year: int, month: int, days: dict[dt.date, Any], today: dt.date) -> list[Any]:
    weeks = []
    for week in month_calendar.Calendar().monthdatescalendar(year, month):
        cells = []
        for day in week:
            entry = days.get(day)
            if entry is not None:
                kind = entry.kind
            else:
                kind = "weekend" if day.weekday() >= 5 else "workday"
            cells.append(
                {
                    "day": day,
                    "in_month": day.month == month,
                    "kind": kind,
                    "name": entry.name if entry is not None else "",
                    "today": day == today,
                }
            )
        weeks.append(cells)
    return weeks


@login_required
def calendar_year_view(request: HttpRequest, year: int) -> HttpResponse:
    _require_platform_admin(request)
    today = timezone.localdate()
    calendar_year = calendar_year_get(year)
    days = calendar_days_of(year)
    months = [{"month": m, "weeks": _month_grid(year, m, days, today)} for m in range(1, 13)]
    working_days = None
    if calendar_year is not None and calendar_year.confirmed:
        try:
            working_days = work_calendar().working_days_between(
                dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
            )
        except YearNotConfirmedError:
            working_days = None
    return render(
        request,
        "deadlines/calendar_year.html",
        {
            "year": year,
            "calendar_year": calendar_year,
            "months": months,
            "weekdays": _WEEKDAYS,
            "holiday_count": sum(1 for d in days.values() if d.kind == DayKind.HOLIDAY),
            "makeup_count": sum(1 for d in days.values() if d.kind == DayKind.MAKEUP_WORKDAY),
            "working_days": working_days,
            "confirm_form": CalendarConfirmForm(
                initial={"source_notice": calendar_year.source_notice if calendar_year else ""}
            ),
            "open_form": CalendarYearOpenForm(initial={"year": year}),
        },
    )


@login_required
def calendar_day_view(request: HttpRequest, year: int, day: str) -> HttpResponse:
    _require_platform_admin(request)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if date.year != year:
        raise Http404
    existing = calendar_days_of(year).get(date)
    form = CalendarDayForm(
        request.POST or None,
        initial={
            "kind": existing.kind if existing else "",
            "name": existing.name if existing else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            calendar_day_set(
                actor=request.user,
                day=date,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存 {date:%Y年%m月%d日} 的设置")
            return redirect("deadlines:calendar_year", year=year)
    return render(
        request,
        "deadlines/calendar_day.html",
        {"year": year, "date": date, "weekday": _WEEKDAYS[date.weekday()], "form": form},
    )


@login_required
@require_POST
def calendar_year_open_view(request: HttpRequest) -> HttpResponse:
    _require_platform_admin(request)
    form = CalendarYearOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "年份无效")
        return redirect("deadlines:calendar_home")
    year = form.cleaned_data["year"]
    try:
        calendar_year_open(actor=request.user, year=year)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"已新建{year}年节假日安排，请逐日录入后确认")
    return redirect("deadlines:calendar_year", year=year)


@login_required
@require_POST
def calendar_year_confirm_view(request: HttpRequest, year: int) -> HttpResponse:
    _require_platform_admin(request)
    form = CalendarConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "确认时须填写依据的国务院办公厅通知文号")
        return redirect("deadlines:calendar_year", year=year)
    try:
        calendar_year_confirm(
            actor=request.user, year=year, source_notice=form.cleaned_data["source_notice"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{year}年节假日安排已确认，相关暂定时限已重新计算")
    return redirect("deadlines:calendar_year", year=year)


@login_required
def deadline_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DeadlineFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    deadlines = deadline_list_for_user(request.user, state=state)
    page = Paginator(deadlines, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "deadlines/dashboard.html",
        {
            "form": form,
            "page": page,
            "counts": deadline_counts_for_user(request.user, today=today),
            "today": today,
            "notifications": notification_list_for_user(request.user)[:20],
            "query": f"state={state}" if state else "",
        },
    )


@login_required
@require_POST
def notifications_read_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(actor=request.user)
    messages.success(request, f"已将 {count} 条通知标记为已读")
    return redirect("deadlines:dashboard")
