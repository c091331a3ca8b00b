"""Writes: the calendar table, deadlines, their state machine and the reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from spotcheck.access.roles import Role
from spotcheck.accounts.models import Department, User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.core import deadlineflow
from spotcheck.core.workdays import load_bundled
from spotcheck.deadlines.choices import DayKind, DeadlineState, NotificationKind
from spotcheck.deadlines.models import CalendarDay, CalendarYear, Deadline, Notification
from spotcheck.deadlines.selectors import due_date_for, working_days_left

# ---------------------------------------------------------------- calendar


@transaction.atomic
def calendar_load_bundled(*, actor: User | None, years: Iterable[int] | None = None) -> list[int]:
    """Fill the table from the reviewed data files; years already present are left alone."""
    loaded = []
    for arrangement in load_bundled(years):
        if CalendarYear.objects.filter(year=arrangement.year).exists():
            continue
        year = CalendarYear.objects.create(
            year=arrangement.year,
            confirmed=True,
            source_notice=arrangement.source_notice,
            confirmed_at=timezone.now(),
            confirmed_by=actor,
        )
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(
                    day=d,
                    calendar_year=year,
                    kind=DayKind.HOLIDAY,
                    name=arrangement.names.get(d, ""),
                )
                for d in sorted(arrangement.holidays)
            ]
            + [
                CalendarDay(day=d, calendar_year=year, kind=DayKind.MAKEUP_WORKDAY)
                for d in sorted(arrangement.makeup_workdays)
            ]
        )
        loaded.append(arrangement.year)
    if loaded:
        audit_record(
            actor=actor,
            event_type=events.CALENDAR_LOADED,
            data={"years": loaded, "source": "bundled data files"},
        )
        deadlines_recompute(actor=actor)
    return loaded


@transaction.atomic
def calendar_year_open(*, actor: User | None, year: int) -> CalendarYear:
    """Start entering a new year's arrangement; it stays 未确认 until confirmed."""
    if CalendarYear.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年的安排已存在"})
    calendar_year = CalendarYear.objects.create(year=year)
    audit_record(actor=actor, event_type=events.CALENDAR_YEAR_OPENED, target=calendar_year)
    return calendar_year


@transaction.atomic
def calendar_day_set(
    *, actor: User | None, day: dt.date, kind: str, name: str = ""
) -> CalendarDay | None:
    """Mark a day as 放假 or 调休上班, or (kind "") back to the weekday rule."""
    calendar_year = CalendarYear.objects.filter(year=day.year).first()
    if calendar_year is None:
        raise ValidationError({"day": f"请先新建{day.year}年的节假日安排"})
    if kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise ValidationError({"kind": "调休上班日只能是周六或周日"})
    if kind not in ("", DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY):
        raise ValidationError({"kind": "未知的日期类型"})
    existing = CalendarDay.objects.filter(day=day).first()
    before = {"kind": existing.kind, "name": existing.name} if existing else None
    result: CalendarDay | None
    if not kind:
        if existing:
            existing.delete()
        result = None
    else:
        result, _ = CalendarDay.objects.update_or_create(
            day=day,
            defaults={
                "calendar_year": existing.calendar_year if existing else calendar_year,
                "kind": kind,
                "name": name if kind == DayKind.HOLIDAY else "",
            },
        )
    audit_record(
        actor=actor,
        event_type=events.CALENDAR_DAY_SET,
        target=calendar_year,
        data={"day": day.isoformat(), "before": before, "after": {"kind": kind, "name": name}},
    )
    if calendar_year.confirmed:
        deadlines_recompute(actor=actor)
    return result


@transaction.atomic
def calendar_year_confirm(*, actor: User | None, year: int, source_notice: str) -> CalendarYear:
    """Confirm a year against its notice; 暂定 deadlines are recomputed at once."""
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year is None:
        raise ValidationError({"year": f"{year}年的安排不存在"})
    if not source_notice.strip():
        raise ValidationError({"source_notice": "确认时须填写依据的国务院办公厅通知文号"})
    calendar_year.confirmed = True
    calendar_year.source_notice = source_notice.strip()
    calendar_year.confirmed_at = timezone.now()
    calendar_year.confirmed_by = actor
    calendar_year.save()
    audit_record(
        actor=actor,
        event_type=events.CALENDAR_YEAR_CONFIRMED,
        target=calendar_year,
        data={"source_notice": calendar_year.source_notice},
    )
    deadlines_recompute(actor=actor)
    return calendar_year


# ---------------------------------------------------------------- deadlines


@transaction.atomic
def deadline_open(
    *,
    actor: User | None,
    kind: str,
    title: str,
    department: Department,
    start_event: str,
    start_date: dt.date,
    working_days: int,
    assignee: User | None = None,
    target: models.Model | None = None,
    target_url: str = "",
) -> Deadline:
    """Start a time limit of n working days after the event date."""
    due = due_date_for(start_date, working_days)
    deadline = Deadline(
        kind=kind,
        title=title,
        department=department,
        assignee=assignee,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_url=target_url,
        start_event=start_event,
        start_date=start_date,
        working_days=working_days,
        due_date=due.day,
        provisional=due.provisional,
    )
    deadline.full_clean()
    deadline.save()
    audit_record(
        actor=actor,
        event_type=events.DEADLINE_OPENED,
        target=deadline,
        data={
            "start_date": start_date.isoformat(),
            "working_days": working_days,
            "due_date": due.day.isoformat(),
            "provisional": due.provisional,
        },
    )
    return deadline


def _transition(deadline: Deadline, to: str) -> None:
    deadlineflow.check_move(deadline.state, to)
    deadline.state = to


@transaction.atomic
def deadline_complete(*, actor: User | None, deadline: Deadline) -> Deadline:
    """Record that the due work was done; done after its due day, it is marked late.

    Late is decided against the due date itself, not only against the overdue state, so
    work done after the due day counts as late even before a reminder run noticed it.
    """
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    late = deadline.state == DeadlineState.OVERDUE or timezone.localdate() > deadline.due_date
    _transition(deadline, DeadlineState.DONE)
    deadline.completed_at = timezone.now()
    deadline.completed_late = late
    deadline.save(update_fields=["state", "completed_at", "completed_late"])
    audit_record(
        actor=actor, event_type=events.DEADLINE_COMPLETED, target=deadline, data={"late": late}
    )
    return deadline


@transaction.atomic
def deadlines_recompute(*, actor: User | None) -> int:
    """Recompute the due dates of open deadlines after the calendar changed."""
    changed = 0
    for deadline in Deadline.objects.select_for_update().filter(state=DeadlineState.OPEN):
        due = due_date_for(deadline.start_date, deadline.working_days)
        if (due.day, due.provisional) == (deadline.due_date, deadline.provisional):
            continue
        old = deadline.due_date
        deadline.due_date, deadline.provisional = due.day, due.provisional
        deadline.save(update_fields=["due_date", "provisional"])
        audit_record(
            actor=actor,
            event_type=events.DEADLINE_RECOMPUTED,
            target=deadline,
            data={
                "old": old.isoformat(),
                "new": due.day.isoformat(),
                "provisional": due.provisional,
            },
        )
        changed += 1
    return changed


# ---------------------------------------------------------------- reminders


@dataclass
class ReminderRun:
    """What one run of the reminder job did."""

    due_soon: int = 0
    missed: int = 0
    escalated: int = 0
    marked_overdue: list[int] = field(default_factory=list)


def _department_admins(department: Department) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.DEPT_ADMIN, department=department))


def _lead_office_admins() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.LEAD_ADMIN))


def _owners(deadline: Deadline) -> list[User]:
    if deadline.assignee_id and deadline.assignee.is_active:
        return [deadline.assignee]
    return _department_admins(deadline.department)


def _notify(deadline: Deadline, kind: str, recipients: Iterable[User], message: str) -> int:
    """Create one notification per recipient; a repeat run inserts nothing."""
    rows = [
        Notification(recipient=user, deadline=deadline, kind=kind, message=message[:255])
        for user in {u.pk: u for u in recipients}.values()
    ]
    before = Notification.objects.filter(deadline=deadline, kind=kind).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return Notification.objects.filter(deadline=deadline, kind=kind).count() - before


@transaction.atomic
def deadlines_remind(*, today: dt.date) -> ReminderRun:
    """Warn one working day ahead, flag missed deadlines and escalate them; idempotent."""
    run = ReminderRun()
    # lock the deadline rows only: PostgreSQL refuses FOR UPDATE on the nullable side
    # of the outer join that select_related("assignee") makes
    open_ = Deadline.objects.select_for_update(of=("self",)).select_related(
        "department", "assignee"
    )
    for deadline in open_.filter(state=DeadlineState.OPEN, due_date__gte=today):
        if working_days_left(today, deadline.due_date) <= 1:
            run.due_soon += _notify(
                deadline,
                NotificationKind.DUE_SOON,
                _owners(deadline),
                f"即将到期：{deadline.title}，截止{deadline.due_date:%Y年%m月%d日}",
            )
    for deadline in open_.filter(state=DeadlineState.OPEN, due_date__lt=today):
        _transition(deadline, DeadlineState.OVERDUE)
        deadline.save(update_fields=["state"])
        audit_record(
            actor=None,
            event_type=events.DEADLINE_OVERDUE,
            target=deadline,
            data={"due_date": deadline.due_date.isoformat(), "noticed_on": today.isoformat()},
        )
        run.marked_overdue.append(deadline.pk)
    # Overdue deadlines are (re)notified every run: the unique constraint makes a
    # repeat a no-op, and a run that stopped half-way is completed by the next one.
    for deadline in open_.filter(state=DeadlineState.OVERDUE):
        owners = _owners(deadline)
        run.missed += _notify(
            deadline,
            NotificationKind.MISSED,
            owners,
            f"已超期：{deadline.title}，截止日期为{deadline.due_date:%Y年%m月%d日}",
        )
        supervisors = [
            u
            for u in _department_admins(deadline.department) + _lead_office_admins()
            if u not in owners
        ]
        run.escalated += _notify(
            deadline,
            NotificationKind.ESCALATED,
            supervisors,
            f"超期督办：{deadline.department.name}“{deadline.title}”"
            f"已超过截止日期{deadline.due_date:%Y年%m月%d日}",
        )
    return run


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
