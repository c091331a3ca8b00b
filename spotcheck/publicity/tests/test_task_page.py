"""The public task page: drawn, withdrawn (退回) with the reason, replaced (替补) and final
counts that add up, and a list that matches them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Entity
from spotcheck.draws.choices import ObjectState
from spotcheck.draws.dispatch import draw_dispatch, drawn_object_replace
from spotcheck.draws.models import DrawnObject
from spotcheck.draws.tests.factories import drawn as _drawn

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def dispatched(task: Task, lead_admin: User, dept_admin: User) -> Task:  # noqa: F811
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        draw_dispatch(actor=lead_admin, task=task)
    task.refresh_from_db()
    return task


def _page(client: Client, public: Task) -> str:
    response = client.get(f"/public/tasks/{public.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_withdrawn_object_and_its_replacement_are_stated_and_the_counts_add_up(
    dispatched: Task, dept_admin: User, client: Client
) -> None:
    # given one of the 5 drawn objects sent back as 已注销 and replaced from the reserve
    first = DrawnObject.objects.order_by("id").first()
    assert first is not None
    successor = drawn_object_replace(
        actor=dept_admin,
        obj=first,
        reason="cancelled",
        note="2026年2月已注销登记",
        expected_state=first.state,
    )
    assert successor is not None
    successor_name = Entity.objects.get(uscc=successor.entity_code).name

    # when a visitor reads the task page
    html = _page(client, dispatched)

    # then
    assert "共抽取 5 户" in html
    assert "部门比对确认时退回 1 户，由备选名单替补 1 户；最终检查 5 户。" in html
    assert html.count('data-testid="withdrawn-row"') == 1
    assert "理由：已注销（2026年2月已注销登记）" in html
    assert f'替补：{successor_name} <span class="code">{successor.entity_code}</span>' in html
    assert html.count('data-testid="final-row"') == 5
    final = html[html.index('data-testid="final-list"') :]
    assert first.entity_code not in final
    assert final.count("替补</span>") == 1


def test_a_withdrawal_without_reserve_left_lowers_the_final_count_and_says_why(
    dispatched: Task, dept_admin: User, client: Client
) -> None:
    # given the objects of one stratum sent back until its reserve list is used up
    stratum = DrawnObject.objects.order_by("id").first().stratum  # type: ignore[union-attr]
    withdrawn = 0
    while True:
        obj = DrawnObject.objects.filter(stratum=stratum, state=ObjectState.PENDING).first()
        assert obj is not None
        withdrawn += 1
        if (
            drawn_object_replace(
                actor=dept_admin,
                obj=obj,
                reason="not_found",
                note="实地核查无此户",
                expected_state=obj.state,
            )
            is None
        ):
            break

    # when
    html = _page(client, dispatched)

    # then four are checked in the end, and the page says why one is missing
    assert "共抽取 5 户" in html
    assert (
        f"部门比对确认时退回 {withdrawn} 户，由备选名单替补 {withdrawn - 1} 户；最终检查 4 户。"
        in html
    )
    assert html.count('data-testid="withdrawn-row"') == withdrawn
    assert html.count("未替补：该类别备选名单已用完") == 1
    assert html.count('data-testid="final-row"') == 4


def test_a_task_without_withdrawals_states_drawn_and_final_alike(
    dispatched: Task, client: Client
) -> None:
    # given / when
    html = _page(client, dispatched)

    # then
    assert "共抽取 5 户" in html
    assert "最终检查 5 户。" in html
    assert "退回" not in html[html.index('data-testid="draw-outcome"') :]
    assert html.count('data-testid="final-row"') == 5
