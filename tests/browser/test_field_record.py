"""On a phone: fill a 一企一表, sign it, lose the network, edit, reconnect, submit; review."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import VIEWPORTS, Scenario, click_and_wait

pytestmark = pytest.mark.browser


def _field_record(scenario: Scenario) -> Any:
    from django.apps import apps

    from spotcheck.accounts.models import Region
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.inspections.tests.factories import make_group, make_record

    # live_server flushes the database after each test, the data migration's codes included
    if not ResultCode.objects.filter(code="A").exists():
        ResultCode.objects.all().delete()
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    deps = scenario.departments
    item = make_item(deps["scj"], "SJ-01", name="食品经营许可和经营条件")
    lead_item = make_item(deps["lead"], "ZF-01")
    item.result_codes.set(ResultCode.objects.all())
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [item])],
    )
    group = make_group(task, [scenario.own_inspector, scenario.inspectors["李强"]])
    record = make_record(task, scenario.scj_only, group, [item])
    type(record).objects.filter(pk=record.pk).update(planned_on=scenario.today)
    type(task).objects.filter(pk=task.pk).update(
        window_start=scenario.today, window_end=scenario.today + dt.timedelta(days=30)
    )
    return record


def _draw(page: Page, pad: Locator) -> None:
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 100)
    page.mouse.down()
    for dx, dy in ((80, 40), (140, 110), (200, 50), (260, 90)):
        page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def _fits_phone(page: Page) -> None:
    """No sideways scrolling at 375 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"{page.url}: {width}px wide"


def _reviewer(browser: Browser, live_server: Any, username: str) -> tuple[BrowserContext, Page]:
    from django.conf import settings
    from django.test import Client

    from spotcheck.accounts.models import User

    ctx = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS["phone"], locale="zh-CN", is_mobile=True
    )
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return ctx, ctx.new_page()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_inspector_fills_signs_offline_and_submits_then_reviewer_approves(
    page: Page,
    context: BrowserContext,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.inspections.models import JointRecord

    # given a record of 张明's group, due today
    record = _field_record(scenario)
    signed_in("scj_inspector", "/field/")
    expect(page.locator("#h-today + .list-group")).to_contain_text(scenario.scj_only.name)
    shot("tasks")
    _fits_phone(page)
    click_and_wait(page, page.get_by_test_id("field-record").first)
    expect(page.get_by_test_id("members")).to_contain_text("执法证号 13020183240001")
    shot("record")
    _fits_phone(page)
    click_and_wait(page, page.get_by_test_id("open-fill"))
    status = page.get_by_test_id("sync-status")

    # when the inspector fills the item: saved on the phone, then on the server
    page.get_by_role("button", name="现在").first.click()
    findings = page.get_by_label("主要检查情况")
    findings.fill("查验营业执照、食品经营许可证，均在有效期内")
    page.get_by_text("未发现问题", exact=True).click()
    expect(status).to_contain_text("已同步到服务器")
    # the legal representative and both inspectors sign on the screen
    _draw(page, page.locator('[data-pad="party"] canvas'))
    for pad in page.locator('[data-pad^="member-"] canvas').all():
        _draw(page, pad)
    shot("signed")
    _fits_phone(page)

    # the network drops; the inspector adds a sentence
    context.set_offline(True)
    findings.fill("查验营业执照、食品经营许可证，均在有效期内；后厨卫生良好")
    expect(status).to_contain_text("已保存在手机")
    expect(status).to_have_attribute("data-state", "offline")
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('spotcheck.field.'))")
    assert len(kept) == 1
    shot("offline")
    # the browser is closed and the page opened again, still without network
    page.reload()
    expect(findings).to_have_value("查验营业执照、食品经营许可证，均在有效期内；后厨卫生良好")
    expect(status).to_contain_text("已保存在手机")

    # the network returns: the draft reaches the server by itself
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("已同步到服务器")
    record.items.get().refresh_from_db()
    assert record.items.get().findings == "查验营业执照、食品经营许可证，均在有效期内；后厨卫生良好"

    # submit: signed, frozen, waiting for review
    with page.expect_navigation(url=re.compile(r"/final/$")):
        page.get_by_test_id("submit-record").click()
    expect(page.get_by_test_id("record-state")).to_have_text("待审核")
    expect(page.get_by_test_id("record-body")).to_contain_text("后厨卫生良好")
    shot("submitted")
    _fits_phone(page)
    frozen = JointRecord.objects.get(pk=record.pk)
    assert (frozen.state, frozen.version, frozen.signatures.count()) == ("submitted", 1, 2)

    # then the 市场监管局 admin approves it on the phone
    ctx, reviewer = _reviewer(browser, live_server, "scj_admin")
    reviewer.goto("/field/")
    click_and_wait(reviewer, reviewer.get_by_test_id("review-record"))
    reviewer.get_by_text("通过", exact=True).click()
    click_and_wait(reviewer, reviewer.get_by_test_id("review-submit"))
    expect(reviewer.get_by_test_id("confirmation")).to_contain_text("检查结果立即在公示平台公开")
    click_and_wait(reviewer, reviewer.get_by_test_id("confirm-yes"))
    expect(reviewer.get_by_test_id("record-state")).to_have_text("已通过")
    reviewer.screenshot(path="var/screenshots/test_field_review-approved-phone.png", full_page=True)
    ctx.close()
    # and the lead office confirms the joint record as a whole
    ctx, lead = _reviewer(browser, live_server, "lead")
    lead.goto("/field/")
    click_and_wait(lead, lead.get_by_test_id("confirm-record"))
    click_and_wait(lead, lead.get_by_test_id("lead-confirm"))
    expect(lead.get_by_test_id("lead-confirmed")).to_be_visible()
    ctx.close()
    approved = JointRecord.objects.get(pk=record.pk)
    assert (approved.state, approved.lead_confirmed_by.username) == ("approved", "lead")
