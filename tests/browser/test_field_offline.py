"""On a phone without a network: the inspector's current records open from the phone.

Screenshots: var/screenshots/test_*offline*-phone.png.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Scenario, open_page

pytestmark = pytest.mark.browser

FINDINGS = "查验营业执照、食品经营许可证，均在有效期内"


def _records(scenario: Scenario) -> list[Any]:
    """Two records of 张明's group, due today, with his item half filled in on the server."""
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
    item.result_codes.set(ResultCode.objects.all())
    lead_item = make_item(deps["lead"], "ZF-01")
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [item])],
    )
    type(task).objects.filter(pk=task.pk).update(
        window_start=scenario.today, window_end=scenario.today + dt.timedelta(days=30)
    )
    group = make_group(task, [scenario.own_inspector, scenario.inspectors["李强"]])
    records = [make_record(task, e, group, [item]) for e in scenario.entities[:2]]
    for record in records:
        type(record).objects.filter(pk=record.pk).update(planned_on=scenario.today)
        row = record.items.get()
        type(row).objects.filter(pk=row.pk).update(findings=FINDINGS)
        row.result_codes.set([ResultCode.objects.get(code="1")])
    return records


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
