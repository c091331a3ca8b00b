"""派发 and 退回并替补 ask first: the lead office confirms the dispatch on a page that says
what it does; 市场监管局 sends an object back with a reason and a note, the confirmation
names the reserve entity that comes in, and once the reserve is used up the confirmation,
the row and the task page say the stratum fell short (desktop and phone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario, drawn_by, published_task

pytestmark = pytest.mark.browser


def _drawn(scenario: Scenario) -> Any:
    """A joint task of the lead office and 市场监管局, drawn and not yet dispatched."""
    from spotcheck.deadlines.services import calendar_load_bundled

    calendar_load_bundled(actor=None)
    lead, scj_admin = scenario.users["lead"], scenario.users["scj_admin"]
    task = published_task(scenario, ratio=Decimal("5"), window_end=dt.date(2026, 12, 30))
    drawn_by(task, lead, scj_admin)
    return task


def _first_with_reserve(task: Any) -> tuple[str, str, str]:
    """(stratum, first drawn entity, first reserve entity) of a stratum with one reserve."""
    from spotcheck.draws.selectors import drawn_attempt
    from spotcheck.draws.storage import stored_selection

    rows = stored_selection(drawn_attempt(task))
    for stratum in sorted({s for s, _k, _e in rows}):
        drawn = [e for s, k, e in rows if s == stratum and k == "selected"]
        reserve = [e for s, k, e in rows if s == stratum and k == "reserve"]
        if len(reserve) == 1:
            return stratum, drawn[0], reserve[0]
    raise AssertionError("no stratum with exactly one reserve entity")


def _name(code: str) -> str:
    from django.db.models import Q

    from spotcheck.directory.models import Entity

    # an individual business without a credit code is drawn under its 注册号
    return Entity.objects.get(Q(uscc=code) | Q(reg_no=code)).name


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _send_back(page: Page, code: str, reason: str, note: str) -> None:
    row = page.get_by_test_id(f"object-{code}")
    row.get_by_label("退回理由").select_option(label=reason)
    row.get_by_label("情况说明").fill(note)
    click_and_wait(page, row.get_by_role("button", name="退回并替补…"))


def test_dispatch_and_send_back_are_confirmed_first_and_a_short_stratum_is_named(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    viewport: str,
) -> None:
    from spotcheck.draws.models import DrawnObject

    task = _drawn(scenario)
    stratum, drawn, reserve = _first_with_reserve(task)
    width = VIEWPORTS[viewport]["width"]

    # the lead office's 派发 asks first and says what it starts
    signed_in("lead", f"/tasks/{task.pk}/draw/")
    click_and_wait(page, page.get_by_test_id("dispatch"))
    expect(page.get_by_test_id("confirmation")).to_contain_text("确认派发抽取名单")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text("2个工作日内完成比对确认")
    assert DrawnObject.objects.filter(attempt__task=task).count() == 0
    assert _width(page) <= width
    shot("dispatch-confirm")
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id("task-state")).to_have_text("部门确认中")

    # 市场监管局 sends the drawn entity back; the confirmation names the reserve entity
    signed_in("scj_admin", f"/tasks/{task.pk}/objects/")
    _send_back(page, drawn, "已注销", "营业执照已于2026年1月注销")
    confirmation = page.get_by_test_id("confirmation")
    expect(confirmation).to_contain_text("确认退回并替补")
    expect(page.get_by_test_id("confirm-details")).to_contain_text(f"{_name(reserve)}（{reserve}）")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text(
        f"由 {_name(reserve)}（{reserve}） 替补：它是{stratum}类备选名单第1位"
    )
    assert DrawnObject.objects.get(entity_code=drawn).state == "pending"
    assert _width(page) <= width
    shot("replace-confirm")
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_role("alert").first).to_contain_text(
        f"已退回 {drawn}，由备选名单 {reserve} 替补"
    )
    expect(page.get_by_test_id(f"object-{drawn}").get_by_test_id("object-status")).to_have_text(
        f"已退回（已替补为 {_name(reserve)}（{reserve}））"
    )
    expect(page.get_by_test_id(f"object-{reserve}").get_by_test_id("object-status")).to_have_text(
        f"替补对象（替 {drawn}）· 待确认"
    )

    # the replacement sent back too: no reserve is left, the confirmation says so
    _send_back(page, reserve, "查无此户", "实地核查两次，登记住所无此企业")
    expect(page.get_by_test_id("confirm-warning")).to_contain_text(f"退回后{stratum}类只剩")
    expect(page.get_by_test_id("confirm-yes")).to_have_text("确认退回（无替补）")
    shot("replace-confirm-none-left")
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id(f"object-{reserve}").get_by_test_id("object-status")).to_have_text(
        "已退回（备选名单已用完，未替补）"
    )
    expect(page.get_by_test_id("shortfalls")).to_contain_text(f"{stratum}类：抽取")
    expect(page.get_by_test_id("replacement-counts")).to_have_text(
        "已退回 2 户：其中替补 1 户，备选名单用完未替补 1 户"
    )
    assert _width(page) <= width
    shot("objects-short")

    # the task page names the short stratum too
    page.goto(f"/tasks/{task.pk}/")
    expect(page.get_by_test_id("shortfalls")).to_contain_text(f"{stratum}类：抽取")
