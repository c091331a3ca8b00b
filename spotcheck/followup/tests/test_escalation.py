"""Overdue cases escalate to the task's lead office and to the parent departments."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.deadlines.choices import DeadlineState, NotificationKind
from spotcheck.deadlines.models import Notification
from spotcheck.followup.models import Case
from spotcheck.followup.services import cases_escalate, cases_open_for_record
from spotcheck.followup.tests.factories import Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(scene: Scene, lead_admin: User) -> Case:
    with time_machine.travel(dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC), tick=False):
        (opened,) = cases_open_for_record(actor=lead_admin, record=scene.record)
    return opened


def test_an_overdue_case_reaches_the_parent_department_and_the_lead_office(
    case: Case, dept_admin: User, parent_dept_admin: User, lead_admin: User, other_dept_admin: User
) -> None:
    # given: due Wed 3 June; the job runs on Thu 4 June
    # when
    call_command("followup_escalate", "--today", "2026-06-04", stdout=io.StringIO())

    # then
    case.refresh_from_db()
    assert case.deadline is not None
    assert case.deadline.state == DeadlineState.OVERDUE
    escalated = Notification.objects.filter(deadline=case.deadline, kind=NotificationKind.ESCALATED)
    assert sorted(n.recipient.username for n in escalated) == ["city_market_admin", "lead"]
    assert escalated.filter(recipient=parent_dept_admin).get().message == (
        "后续处置超期督办：晋州市市场监督管理局办理的“晋州市丁果蔬农民专业合作社"
        "·企业公示信息情况检查”已超过截止日期2026年06月03日"
    )
    missed = Notification.objects.filter(deadline=case.deadline, kind=NotificationKind.MISSED)
    assert [n.recipient for n in missed] == [dept_admin]
    assert AuditEvent.objects.filter(event_type="followup.case.escalated").count() == 1


def test_escalation_runs_twice_without_repeating(case: Case, parent_dept_admin: User) -> None:
    # given
    call_command("followup_escalate", "--today", "2026-06-04", stdout=io.StringIO())
    count = Notification.objects.count()

    # when
    sent = cases_escalate(today=dt.date(2026, 6, 5))

    # then
    assert sent == 0
    assert Notification.objects.count() == count
    assert AuditEvent.objects.filter(event_type="followup.case.escalated").count() == 1


def test_a_case_on_time_is_not_escalated(case: Case, parent_dept_admin: User) -> None:
    call_command("followup_escalate", "--today", "2026-06-03", stdout=io.StringIO())
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATED).exists()
