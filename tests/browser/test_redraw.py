"""A task stuck in 编组中 (a department has no drawable inspector) gets out on a phone:
the lead office asks for a redraw, the auditor it names approves it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import SCJ, VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario, drawn_by, published_task

pytestmark = pytest.mark.browser
REASON = "市场监管局执法人员在岗状态录入错误，冻结的人员库无可抽取人员"


def _stuck_in_grouping(scenario: Scenario) -> Any:
    """A task drawn, dispatched and confirmed while every 市场监管局 inspector was recorded
    on leave; the lead office has claimed, 市场监管局 cannot."""
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.directory.models import Inspector
    from spotcheck.draws.dispatch import department_claim, department_confirm, draw_dispatch
    from spotcheck.draws.matching import grouping_start

    calendar_load_bundled(actor=None)
    lead_dept, scj_dept = scenario.departments["lead"], scenario.departments["scj"]
    lead, scj_admin = scenario.users["lead"], scenario.users["scj_admin"]
    Inspector.objects.filter(department=scj_dept).update(status="leave")
    task = published_task(scenario, ratio=Decimal("20"), window_end=dt.date(2026, 12, 30))
    drawn_by(task, lead, scj_admin)
    draw_dispatch(actor=lead, task=task)
    department_confirm(actor=scj_admin, task=task)
    department_confirm(actor=lead, task=task)
    grouping_start(actor=lead, task=task)
    if lead_dept.name in _to_claim(task):  # the random draw may give it nothing to check
        department_claim(actor=lead, task=task)
    return task


def _to_claim(task: Any) -> list[str]:
    from spotcheck.draws.selectors import departments_to_claim

    return departments_to_claim(task)


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_lead_asks_for_a_redraw_and_the_auditor_approves_it_on_a_phone(
    page: Page,
    browser: Browser,
    scenario: Scenario,
    live_server: Any,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from django.conf import settings
    from django.test import Client

    task = _stuck_in_grouping(scenario)
    url = f"/tasks/{task.pk}/"
    assert _to_claim(task) == [SCJ]

    # the lead office sees why 市场监管局 cannot claim, and the open request form
    signed_in("lead", url)
    expect(page.get_by_test_id("task-state")).to_have_text("编组中")
    expect(page.get_by_text(re.compile("须由牵头单位点击下方“申请重新抽取”"))).to_be_visible()
    expect(page.get_by_test_id("redraw-open")).to_be_visible()
    page.get_by_label("重新抽取理由").fill(REASON)
    page.get_by_label("批准人（另一角色的官员）").select_option(label="审计员（审计员）")
    page.get_by_label(re.compile("政府办管理员")).check()
    page.get_by_label(re.compile("市场监管局管理员")).check()
    assert _width(page) <= VIEWPORTS["phone"]["width"]
    shot("request-form")
    click_and_wait(page, page.get_by_test_id("redraw-request"))
    expect(page.get_by_role("alert")).to_contain_text(
        "已提交重新抽取申请（第2次抽取），待审计员批准"
    )
    expect(page.get_by_test_id("redraw-status")).to_have_text("待批准")
    expect(page.get_by_test_id("redraw-approve")).to_have_count(0)
    expect(page.get_by_test_id("redraw-withdraw")).to_be_visible()

    # the auditor, on another phone, approves
    phone = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", base_url=live_server.url
    )
    client = Client()
    client.force_login(scenario.users["auditor"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    phone.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    auditor = phone.new_page()
    auditor.goto(url)
    expect(auditor.get_by_test_id("redraw-reason")).to_have_text(REASON)
    assert _width(auditor) <= VIEWPORTS["phone"]["width"]
    click_and_wait(auditor, auditor.get_by_test_id("redraw-approve"))
    expect(auditor.get_by_role("alert")).to_contain_text("已批准重新抽取：第1次抽取作废并保留")
    expect(auditor.get_by_test_id("task-state")).to_have_text("已发布")
    expect(auditor.get_by_test_id("attempt-1")).to_contain_text("已作废（经批准重新抽取）")
    expect(auditor.get_by_test_id("timeline")).to_contain_text("批准重新抽取（第2次抽取）")
    phone.close()

    # the lead office finds the approved attempt waiting for commitments
    page.goto(f"/tasks/{task.pk}/draw/")
    expect(page.get_by_test_id("attempt-status")).to_have_text("收集承诺中")
    expect(page.get_by_test_id("commit")).to_be_visible()
    expect(page.get_by_test_id("attempt-bundle-1")).to_be_visible()
    assert _width(page) <= VIEWPORTS["phone"]["width"]
    shot("approved")
