from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.core.deadlineflow import InvalidDeadlineTransition
from spotcheck.deadlines.choices import DayKind, DeadlineKind, DeadlineState, NotificationKind
from spotcheck.deadlines.models import Deadline, Notification
from spotcheck.deadlines.selectors import deadline_list_for_user
from spotcheck.deadlines.services import (
    calendar_day_set,
    calendar_year_confirm,
    calendar_year_open,
    deadline_complete,
    deadline_open,
    deadlines_remind,
)
from spotcheck.testing.personas import Departments


def _open(departments: Departments, start: dt.date, days: int, **kwargs: object) -> Deadline:
    return deadline_open(
        actor=None,
        kind=DeadlineKind.CONFIRM_OBJECTS,
        title="比对确认派发的检查对象",
        department=departments.market,
        start_event="任务派发",
        start_date=start,
        working_days=days,
        **kwargs,  # type: ignore[arg-type]
    )


def test_dispatch_before_national_day_gets_two_full_working_days(
    calendar: list[int], departments: Departments
) -> None:
    # dispatched Wed 2026-09-30: Oct 1–7 are off, Oct 8 and 9 are the two working days
    deadline = _open(departments, dt.date(2026, 9, 30), 2)

    assert deadline.due_date == dt.date(2026, 10, 9)
    assert deadline.provisional is False
    assert deadline.state == DeadlineState.OPEN
    assert AuditEvent.objects.filter(
        event_type="deadline.opened", target_id=str(deadline.pk)
    ).exists()


def test_deadline_in_unconfirmed_year_is_provisional(
    calendar: list[int], departments: Departments
) -> None:
    # 20 working days from 2026-12-15 run into 2027, which is not confirmed
    deadline = _open(departments, dt.date(2026, 12, 15), 20)

    # weekends-only estimate: Dec 16–31 has 12 weekdays, then 8 more in January
    assert deadline.provisional is True
    assert deadline.due_date == dt.date(2027, 1, 12)


def test_confirming_the_year_recomputes_provisional_deadlines(
    calendar: list[int], departments: Departments
) -> None:
    # given a provisional deadline and a 2027 arrangement with 元旦 Jan 1 off
    deadline = _open(departments, dt.date(2026, 12, 15), 20)
    calendar_year_open(actor=None, year=2027)
    calendar_day_set(actor=None, day=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")

    # when
    calendar_year_confirm(actor=None, year=2027, source_notice="国办发明电〔2026〕X号")

    # then Jan 1 no longer counts, so the due date moves one working day later
    deadline.refresh_from_db()
    assert deadline.provisional is False
    assert deadline.due_date == dt.date(2027, 1, 13)
    event = AuditEvent.objects.get(event_type="deadline.recomputed", target_id=str(deadline.pk))
    assert event.data == {"old": "2027-01-12", "new": "2027-01-13", "provisional": False}


def test_completing_an_overdue_deadline_marks_it_late(
    calendar: list[int], departments: Departments
) -> None:
    deadline = _open(departments, dt.date(2026, 3, 2), 2)
    deadlines_remind(today=dt.date(2026, 3, 10))

    done = deadline_complete(actor=None, deadline=deadline)

    assert done.state == DeadlineState.DONE
    assert done.completed_late is True


@pytest.mark.parametrize(("done_on", "late"), [("2026-03-04", False), ("2026-03-05", True)])
def test_completing_after_the_due_day_is_late_even_before_any_reminder_run(
    calendar: list[int], departments: Departments, done_on: str, late: bool
) -> None:
    # given due Wed 2026-03-04, and no reminder run has turned it overdue
    deadline = _open(departments, dt.date(2026, 3, 2), 2)
    assert deadline.state == DeadlineState.OPEN

    # when the work is done on the due day, or the day after
    with time_machine.travel(dt.datetime.fromisoformat(f"{done_on}T10:00:00+08:00"), tick=False):
        done = deadline_complete(actor=None, deadline=deadline)

    # then
    assert done.completed_late is late


def test_done_deadline_cannot_change_again(calendar: list[int], departments: Departments) -> None:
    deadline = deadline_complete(actor=None, deadline=_open(departments, dt.date(2026, 3, 2), 2))

    with pytest.raises(InvalidDeadlineTransition):
        deadline_complete(actor=None, deadline=deadline)


def test_reminder_one_working_day_before_goes_to_department_admins(
    calendar: list[int], departments: Departments, dept_admin: User, lead_admin: User
) -> None:
    # given due Tue 2026-03-04 (dispatched Mon 03-02, 2 working days)
    deadline = _open(departments, dt.date(2026, 3, 2), 2)
    assert deadline.due_date == dt.date(2026, 3, 4)

    # when the job runs on Mon (two working days before) and on Tue (one before)
    early = deadlines_remind(today=dt.date(2026, 3, 2))
    on_time = deadlines_remind(today=dt.date(2026, 3, 3))

    # then only the second run reminds, and only the owner department's admin
    assert early.due_soon == 0
    assert on_time.due_soon == 1
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        (dept_admin.username, NotificationKind.DUE_SOON)
    ]


def test_reminder_skips_the_weekend_before_a_monday_deadline(
    calendar: list[int], departments: Departments, dept_admin: User
) -> None:
    # due Mon 2026-03-09; the working day before is Fri 03-06
    deadline = _open(departments, dt.date(2026, 3, 5), 2)
    assert deadline.due_date == dt.date(2026, 3, 9)

    assert deadlines_remind(today=dt.date(2026, 3, 5)).due_soon == 0
    assert deadlines_remind(today=dt.date(2026, 3, 6)).due_soon == 1


def test_missed_deadline_is_flagged_and_escalated_once(
    calendar: list[int],
    departments: Departments,
    dept_admin: User,
    lead_admin: User,
    inspector_user: User,
) -> None:
    # given a deadline assigned to an inspector, due Wed 2026-03-04
    deadline = _open(departments, dt.date(2026, 3, 2), 2, assignee=inspector_user)

    # when the job runs the day after, twice
    first = deadlines_remind(today=dt.date(2026, 3, 5))
    second = deadlines_remind(today=dt.date(2026, 3, 5))

    # then the deadline is overdue, the inspector is told, admin and lead office escalated
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.OVERDUE
    assert (first.missed, first.escalated, first.marked_overdue) == (1, 2, [deadline.pk])
    assert (second.missed, second.escalated, second.marked_overdue) == (0, 0, [])
    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == sorted(
        [
            (inspector_user.username, NotificationKind.MISSED),
            (dept_admin.username, NotificationKind.ESCALATED),
            (lead_admin.username, NotificationKind.ESCALATED),
        ]
    )
    assert AuditEvent.objects.filter(event_type="deadline.overdue").count() == 1


def test_dashboard_scope_follows_the_department(
    calendar: list[int],
    departments: Departments,
    dept_admin: User,
    other_dept_admin: User,
    lead_admin: User,
    inspector_user: User,
) -> None:
    mine = _open(departments, dt.date(2026, 3, 2), 2)
    police = deadline_open(
        actor=None,
        kind=DeadlineKind.ENTER_RESULTS,
        title="录入检查结果",
        department=departments.police,
        start_event="检查结束",
        start_date=dt.date(2026, 3, 2),
        working_days=20,
    )

    assert list(deadline_list_for_user(dept_admin)) == [mine]
    assert list(deadline_list_for_user(other_dept_admin)) == [police]
    assert set(deadline_list_for_user(lead_admin)) == {mine, police}
    assert list(deadline_list_for_user(inspector_user)) == []


def test_overdue_sorts_before_open(
    calendar: list[int], departments: Departments, lead_admin: User
) -> None:
    later = _open(departments, dt.date(2026, 3, 2), 20)
    overdue = _open(departments, dt.date(2026, 3, 2), 2)
    deadlines_remind(today=dt.date(2026, 3, 10))

    assert list(deadline_list_for_user(lead_admin)) == [overdue, later]
