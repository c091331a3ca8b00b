"""On a phone: fill a 一企一表, sign it, lose the network, edit, reconnect, submit; review."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import click_and_wait
from tests.browser.helpers import draw_on_pad as _draw
from tests.browser.helpers import fits_phone as _fits_phone
from tests.browser.helpers import reviewer_page as _reviewer
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import field_record as _field_record

pytestmark = pytest.mark.browser


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
