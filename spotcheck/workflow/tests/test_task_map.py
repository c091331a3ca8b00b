"""The task page as a map: each stage's state, who acts next, time limits and links."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.draws.ceremony import draw_commit, draw_prepare
from spotcheck.draws.dispatch import draw_dispatch
from spotcheck.draws.tests.factories import NOW, drawn
from spotcheck.testing.personas import LOGIN_BACKEND
from spotcheck.workflow.task_map import CURRENT, DONE, LATER, task_map

pytestmark = pytest.mark.django_db


def _by_key(task: Task, user: User, today: dt.date) -> dict[str, object]:
    return {stage.key: stage for stage in task_map(task, user, today=today)}


def test_a_published_task_waits_for_its_draw_and_names_the_lead_office(
    task: Task, lead_admin: User
) -> None:
    stages = _by_key(task, lead_admin, dt.date(2026, 3, 2))

    assert [s.status for s in stages.values()] == [DONE, CURRENT, LATER, LATER, LATER, LATER, LATER]
    assert task.lead_department.name in stages["draw"].who
    assert stages["draw"].action == ("打开随机抽取", reverse("draws:draw_page", args=[task.pk]))


def test_the_draw_stage_names_the_officials_whose_commitment_is_awaited(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    attempt = draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])
    draw_commit(actor=lead_admin, attempt=attempt, secret=b"\x01" * 32)

    who = _by_key(task, lead_admin, dt.date(2026, 3, 2))["draw"].who

    assert dept_admin.display_name in who
    assert lead_admin.display_name not in who
    assert "作出承诺" in who


def test_after_dispatch_the_departments_to_confirm_and_their_time_limit_are_shown(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        drawn(task, lead_admin, dept_admin)
        draw_dispatch(actor=lead_admin, task=task)
    task.refresh_from_db()

    on_time = _by_key(task, dept_admin, NOW.date())["objects"]
    late = _by_key(task, dept_admin, NOW.date() + dt.timedelta(days=10))["objects"]

    assert on_time.status == CURRENT
    assert "比对确认派发的检查对象" in on_time.who
    assert on_time.dues
    assert not any(d.late for d in on_time.dues)
    assert late.dues
    assert all(d.late for d in late.dues)
    assert on_time.action == ("比对确认检查对象", reverse("draws:objects", args=[task.pk]))


def test_the_task_page_shows_the_map_and_a_section_per_stage(task: Task, lead_admin: User) -> None:
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)

    page = client.get(reverse("campaigns:task_detail", args=[task.pk])).content.decode()

    assert 'data-testid="task-map"' in page
    for key in ("overview", "draw", "objects", "grouping", "records", "publication", "followup"):
        assert f'id="stage-{key}"' in page
    assert 'id="stage-timeline"' in page


def test_the_map_reads_a_fixed_number_of_queries(
    task: Task, lead_admin: User, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(20):
        task_map(task, lead_admin, today=dt.date(2026, 3, 2))
