"""On a phone without a network: the inspector's current records open from the phone.

Screenshots: var/screenshots/test_*offline*-phone.png.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import open_page
from tests.browser.scenario_setup import FINDINGS, Scenario
from tests.browser.scenario_setup import offline_records as _records

pytestmark = pytest.mark.browser


def _looks_styled(page: Page) -> None:
    """Bootstrap and field.css are applied: the page is not bare HTML."""
    body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body_bg == "rgb(248, 249, 250)"  # .bg-body-tertiary
    width = page.evaluate("getComputedStyle(document.querySelector('.field-page')).maxWidth")
    assert width == "640px"  # .field-page in field.css
    navbar = page.evaluate("getComputedStyle(document.querySelector('.navbar')).backgroundColor")
    assert navbar == "rgb(10, 88, 202)"  # the menu bar, #0a58ca


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_after_one_visit_to_the_field_home_a_never_opened_record_opens_offline(
    page: Page,
    context: BrowserContext,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    # given 张明 opens 现场检查 once with a network, and the page says his records are stored
    first, second = _records(scenario)
    signed_in("scj_inspector", "/field/")
    note = page.get_by_test_id("offline-status")
    expect(note).to_have_attribute("data-state", "ready")
    expect(note).to_have_text(
        "2 条待完成的检查记录（今天、本周、逾期和退回的）已保存到手机，没有网络时也可以打开和填写。"
    )
    shot("home")

    # when the network is gone and he opens the fill page of a record he never opened
    context.set_offline(True)
    response = page.goto(f"/field/records/{second.pk}/fill/")
    assert response is not None
    assert (response.status, response.from_service_worker) == (200, True)
    page.reload()

    # then the page is there, styled, with the server's data, and the record script runs
    expect(page.get_by_role("heading", name="现场检查记录", level=1)).to_be_visible()
    _looks_styled(page)
    expect(page.get_by_label("主要检查情况")).to_have_value(FINDINGS)
    expect(
        page.locator(f'input[data-item="{second.items.get().pk}"][data-code="1"]')
    ).to_be_checked()
    expect(page.get_by_test_id("sync-status")).to_have_attribute("data-state", "offline")
    shot("fill-offline")
    # and so is the record's overview page, and the 现场检查 page itself
    assert open_page(page, f"/field/records/{first.pk}/") == 200
    expect(page.get_by_test_id("open-fill")).to_be_visible()
    _looks_styled(page)
    assert open_page(page, "/field/") == 200
    expect(page.get_by_test_id("field-record")).to_have_count(2)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_fill_page_opened_once_reloads_offline_with_its_styles(
    page: Page,
    context: BrowserContext,
    scenario: Scenario,
    signed_in: Callable[..., None],
) -> None:
    # given 张明 opens a record's fill page directly, the first field page he ever opens
    record, _ = _records(scenario)
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")
    # once the page and its files are stored (the page marks itself)
    expect(page.locator("html")).to_have_attribute("data-offline", "stored")
    # when the network is gone and he reloads it
    context.set_offline(True)
    page.reload()
    # then the styled page comes back with its data (it used to say the page was not cached)
    expect(page.get_by_role("heading", name="现场检查记录", level=1)).to_be_visible()
    _looks_styled(page)
    expect(page.get_by_label("主要检查情况")).to_have_value(FINDINGS)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_an_uncached_field_page_offline_explains_in_chinese_what_to_do(
    page: Page,
    context: BrowserContext,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    # given 张明 opened 现场检查 with a network
    record, _ = _records(scenario)
    signed_in("scj_inspector", "/field/")
    expect(page.get_by_test_id("offline-status")).to_have_attribute("data-state", "ready")
    # when, offline, he opens a page that was never stored (the final record)
    context.set_offline(True)
    response = page.goto(f"/field/records/{record.pk}/final/")
    # then a styled page in Chinese says why and what to do
    assert response is not None
    assert (response.status, response.from_service_worker) == (503, True)
    fallback = page.get_by_test_id("offline-fallback")
    expect(page.get_by_role("heading", level=1)).to_have_text("当前没有网络，此页面未保存在手机上")
    expect(fallback).to_contain_text("返回“现场检查”，打开今天和本周的检查记录")
    expect(fallback).to_contain_text("联网后会自动同步到服务器")
    header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    button = page.get_by_role("link", name="返回现场检查")
    colour = button.evaluate("el => getComputedStyle(el).backgroundColor")
    assert (header, colour) == ("rgb(10, 88, 202)", "rgb(10, 88, 202)")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a comfortable touch target
    shot("fallback")
    # and its button leads back to the stored 现场检查 page
    with page.expect_navigation():
        button.click()
    expect(page.get_by_test_id("field-record")).to_have_count(2)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_web_app_manifest_and_its_icons_are_served(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    # given the 现场检查 page links its manifest
    signed_in("scj_inspector", "/field/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == "/field/manifest.webmanifest"
    # when the browser fetches it without cookies
    answer = page.context.request.get(href)
    # then it is JSON whose icons are all PNG files that answer
    assert answer.status == 200
    manifest = json.loads(answer.text())
    assert (manifest["start_url"], manifest["display"]) == ("/field/", "standalone")
    for icon in manifest["icons"]:
        image = page.context.request.get(icon["src"])
        assert (image.status, image.headers["content-type"]) == (200, "image/png"), icon
