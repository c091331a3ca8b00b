"""The task's named steps on the task page: the lead office publishes a draft whose check
window is over with a written reason, after one confirmation; afterwards 撤回为草稿 is offered,
and greyed with what blocks it once a draw is being prepared (desktop and phone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def _draft(scenario: Scenario) -> Any:
    """A draft joint task of the lead office and 市场监管局 whose window ended on 2026-07-30."""
    # imported here: Django is set up by the live server fixture, not at collection
    from spotcheck.campaigns.services import plan_create, task_create
    from spotcheck.catalogue.tests.factories import make_item

    lead_dept, scj_dept = scenario.departments["lead"], scenario.departments["scj"]
    lead = scenario.users["lead"]
    plan = plan_create(
        actor=lead, year=2026, name="计划", number="计划〔2026〕1号", department=lead_dept
    )
    return task_create(
        actor=lead,
        values={
            "plan": plan,
            "number": "晋州市政府办抽查〔2026〕14号",
            "name": "第十四次联合抽查",
            "lead_department": lead_dept,
            "scope_region": scenario.entities[0].region,
            "ratio_a": Decimal("5"),
            "ratio_b": Decimal("5"),
            "ratio_c": Decimal("5"),
            "ratio_d": Decimal("5"),
            "window_start": dt.date(2026, 3, 1),
            "window_end": dt.date(2026, 7, 30),
        },
        participants=[
            (lead_dept, [make_item(lead_dept, "JR-01")]),
            (scj_dept, [make_item(scj_dept, "SJ-01")]),
        ],
    )


def test_the_lead_office_publishes_late_with_a_reason_and_sees_why_it_cannot_go_back(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    viewport: str,
) -> None:
    # imported here: Django is set up by the live server fixture, not at collection
    from spotcheck.audit.models import AuditEvent
    from spotcheck.draws.ceremony import draw_prepare

    task = _draft(scenario)
    width = VIEWPORTS[viewport]["width"]

    # the draft offers 发布任务 with a reason field (its window is over), and no bare moves
    signed_in("lead", f"/tasks/{task.pk}/")
    steps = page.get_by_test_id("task-steps")
    expect(steps).to_contain_text("发布任务")
    expect(steps).to_contain_text("检查时间已于2026年7月30日结束")
    expect(page.locator("body")).not_to_contain_text("变为")
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= width
    shot("draft-steps")

    # the reason goes to the confirmation page, which asks once
    steps.get_by_label("发布理由（检查时间已过，必填）").fill("市政府批准延期实施")
    click_and_wait(page, steps.get_by_role("button", name="发布任务"))
    expect(page.get_by_test_id("confirmation")).to_contain_text("确认发布任务")
    expect(page.get_by_test_id("confirm-details")).to_contain_text("市政府批准延期实施")
    expect(page.get_by_test_id("confirm-warning")).to_contain_text("发布理由记入审计日志")
    shot("publish-confirm")
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id("task-state")).to_have_text("已发布")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "草稿 → 已发布（检查时间已过，发布理由：市政府批准延期实施）"
    )
    reason = AuditEvent.objects.filter(event_type="campaigns.task.transitioned").get()
    assert reason.data["reason"] == "市政府批准延期实施"

    # 撤回为草稿 is the way back, until a draw is being prepared: then it says why not
    expect(page.get_by_test_id("task-steps")).to_contain_text("撤回为草稿")
    lead, scj_admin = scenario.users["lead"], scenario.users["scj_admin"]
    draw_prepare(actor=lead, task=task, officials=[lead, scj_admin])
    page.reload()
    withdraw = page.locator('[data-step="withdraw"]')
    expect(withdraw.get_by_role("button", name="撤回为草稿")).to_be_disabled()
    expect(withdraw.get_by_test_id("task-step-blockers")).to_contain_text(
        "本任务有正在准备或待批准的抽取（第1次）"
    )
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= width
    shot("withdraw-blocked")
