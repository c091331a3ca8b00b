"""A visitor reads a task's public page after one drawn enterprise was sent back, and
mistypes a 统一社会信用代码 in the look-up (phone and desktop)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import LEAD, VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario, drawn_by, published_task

pytestmark = pytest.mark.browser


def _dispatched_with_a_withdrawal(scenario: Scenario) -> tuple[Any, Any]:
    """A task drawing from what 晋州市人民政府办公室 supervises, drawn and dispatched;
    市场监管局 sends one object back as 查无此户."""
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.draws.dispatch import draw_dispatch, drawn_object_replace
    from spotcheck.draws.models import DrawnObject

    calendar_load_bundled(actor=None)
    lead_dept = scenario.departments["lead"]
    lead, scj_admin = scenario.users["lead"], scenario.users["scj_admin"]
    task = published_task(scenario, ratio=Decimal("20"), window_end=dt.date(2026, 12, 30))
    drawn_by(task, lead, scj_admin)
    draw_dispatch(actor=lead, task=task)
    first = DrawnObject.objects.filter(attempt__task=task).order_by("id").first()
    drawn_object_replace(
        actor=scj_admin,
        obj=first,
        reason="not_found",
        note="实地核查无此户",
        expected_state=first.state,
    )
    # the task draws from what the lead office supervises in 晋州市 (the notice's scope)
    type(task).objects.filter(pk=task.pk).update(scope_department=lead_dept)
    return task, first


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_public_task_page_states_drawn_withdrawn_replaced_and_final(
    page: Page, scenario: Scenario, viewport: str, shot: Callable[[str], None]
) -> None:
    from spotcheck.draws.models import DrawnObject

    task, withdrawn = _dispatched_with_a_withdrawal(scenario)
    drawn = DrawnObject.objects.filter(attempt__task=task, from_reserve=False).count()
    replaced = DrawnObject.objects.filter(attempt__task=task, from_reserve=True).count()
    final = drawn - 1 + replaced

    # the task notice names the region once
    page.goto("/public/tasks/")
    expect(page.get_by_test_id("task-scope")).to_have_text(f"{LEAD}所监管的市场主体")
    expect(page.get_by_text("晋州市晋州市")).to_have_count(0)
    shot("tasks")

    # the task page: counts that add up, the withdrawal with its reason, the final list
    page.goto(f"/public/tasks/{task.pk}/")
    outcome = page.get_by_test_id("draw-outcome")
    expect(outcome.get_by_test_id("drawn-count")).to_contain_text(f"共抽取 {drawn} 户")
    expect(outcome.get_by_test_id("final-count")).to_have_text(
        f"部门比对确认时退回 1 户，由备选名单替补 {replaced} 户；最终检查 {final} 户。"
    )
    row = outcome.get_by_test_id("withdrawn-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(withdrawn.entity_code)
    expect(row).to_contain_text("理由：查无此户（实地核查无此户）")
    expect(row).to_contain_text(re.compile("替补：|未替补：该类别备选名单已用完"))
    expect(outcome.get_by_test_id("final-row")).to_have_count(final)
    expect(outcome.get_by_test_id("final-list")).not_to_contain_text(withdrawn.entity_code)
    outcome.scroll_into_view_if_needed()
    if viewport == "phone":
        assert _width(page) <= VIEWPORTS["phone"]["width"]
    shot("task")


def test_a_mistyped_code_in_the_look_up_is_explained(
    page: Page, scenario: Scenario, viewport: str, shot: Callable[[str], None]
) -> None:
    code = scenario.shared_gaj.uscc
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    page.goto("/public/lookup/")

    page.get_by_label("企业名称或统一社会信用代码").fill(wrong)
    click_and_wait(page, page.get_by_role("button", name="查询"))

    expect(page.get_by_test_id("lookup-error")).to_have_text(
        f"“{wrong}”不是有效的统一社会信用代码：校验位不符（按 GB 32100-2015 计算，"
        f"第18位应为{code[17]}，输入的是{wrong[17]}），可能有字符输错。请核对后重新输入。"
    )
    expect(page.get_by_text("未找到该市场主体")).to_have_count(0)
    if viewport == "phone":
        assert _width(page) <= VIEWPORTS["phone"]["width"]
    shot("lookup")
