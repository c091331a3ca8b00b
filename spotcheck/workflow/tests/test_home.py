"""The 工作台: the to-do list first, in Chinese, each item a link that resolves; the count
on the menu item; the directory figures below."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.campaigns.choices import TaskState
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.tests.todo_factories import deadline, joint_task, submitted_records

pytestmark = pytest.mark.django_db
HOME = reverse("common:home")


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)" data-testid="todo-link"', html)


def test_an_empty_list_says_so_in_chinese(persona_client: Callable[[str], Client]) -> None:
    # when
    html = persona_client("dept_admin").get(HOME).content.decode()

    # then: the list comes first, the directory figures stay below
    assert "暂无待办" in html
    assert html.index("待办事项") < html.index("检查对象名录库</h2>")
    assert 'data-testid="todo-count"' not in html


def test_the_items_are_grouped_by_urgency_and_each_link_resolves(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    persona_client: Callable[[str], Client],
) -> None:
    # given: an overdue confirmation and a review due in 20 working days
    today = timezone.localdate()
    confirming = joint_task(departments, regions, lead_admin, state=TaskState.CONFIRMING)
    deadline(
        departments.market,
        confirming.task,
        kind=DeadlineKind.CONFIRM_OBJECTS,
        due=today - dt.timedelta(days=7),
        state=DeadlineState.OVERDUE,
    )
    checking = joint_task(
        departments,
        regions,
        lead_admin,
        state=TaskState.CHECKING,
        number="晋州市政府办抽查〔2026〕11号",
    )
    (record,) = submitted_records(checking, 1, items=[checking.market_item])
    deadline(
        departments.market,
        record,
        kind=DeadlineKind.ENTER_RESULTS,
        due=today + dt.timedelta(days=40),
    )

    # when
    html = persona_client("dept_admin").get(HOME).content.decode()

    # then
    assert "暂无待办" not in html
    assert "待办事项（2）" in html
    assert html.index("已超期（1）") < html.index("其他（1）")
    assert "比对确认派发给晋州市市场监督管理局的检查对象" in html
    assert re.search(r"已超期\d+个工作日", html)
    links = _links(html)
    assert links == [
        reverse("draws:objects", args=[confirming.task.pk]),
        reverse("inspections:field_final", args=[record.pk]),
    ]
    for link in links:
        resolve(link)
    # the menu item of the 工作台 carries the same count
    assert re.search(
        r'工作台 <span class="badge[^"]*" data-testid="todo-count">'
        r'<span class="visually-hidden">待办</span>2<span',
        html,
    )


def test_the_badge_shows_on_other_pages_and_not_on_public_ones(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    persona_client: Callable[[str], Client],
) -> None:
    # given: one task waiting for the lead office
    joint_task(departments, regions, lead_admin, state=TaskState.DRAWN)
    client = persona_client("lead_admin")

    # when
    board = client.get(reverse("campaigns:task_board")).content.decode()
    public = client.get(reverse("publicity:home")).content.decode()

    # then
    assert re.search(r'data-testid="todo-count"><span class="visually-hidden">待办</span>1<', board)
    assert 'data-testid="todo-count"' not in public


def test_the_badge_is_not_computed_for_anonymous_visitors(client: Client) -> None:
    # when
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("publicity:home")).content.decode()

    # then
    assert 'data-testid="todo-count"' not in html
    assert not any("draws_drawofficial" in q["sql"] for q in queries)


def test_the_home_page_counts_the_list_once(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    persona_client: Callable[[str], Client],
) -> None:
    # given
    joint_task(departments, regions, lead_admin, state=TaskState.DRAWN)
    client = persona_client("lead_admin")

    # when
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)

    # then: the officials' own rows are read once, by the list (the badge reuses its length)
    assert sum('FROM "draws_drawofficial" INNER JOIN' in q["sql"] for q in queries) == 1


def test_an_inspectors_home_still_shows_the_list(
    persona_client: Callable[[str], Client],
) -> None:
    # when
    response = persona_client("inspector").get(HOME)

    # then: the 工作台 stays reachable for inspectors
    assert response.status_code == 200
    assert "暂无待办" in response.content.decode()
