"""On a phone: the inspection date survives an unchanged save, the 现在 button gives Beijing
time on a phone set to UTC, and the enterprise's number is dialled in full by the group only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import field_record as _field_record

pytestmark = pytest.mark.browser

PHONE_ZONE = "Asia/Shanghai"


@pytest.fixture
def phone_zone(request: pytest.FixtureRequest) -> str:
    """The time zone the phone is set to; ``indirect`` parametrisation changes it."""
    return str(getattr(request, "param", PHONE_ZONE))


@pytest.fixture
def context(
    browser: Browser, live_server: Any, viewport: str, phone_zone: str
) -> Iterator[BrowserContext]:
    """The conftest's browser context, with the phone's time zone of the test."""
    phone = viewport == "phone"
    ctx = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORTS[viewport],
        locale="zh-CN",
        timezone_id=phone_zone,
        is_mobile=phone,
        has_touch=phone,
    )
    ctx.set_default_timeout(30_000)
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    yield ctx
    ctx.close()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_saving_the_schedule_unchanged_keeps_the_inspection_date(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.inspections.models import JointRecord

    # given a record of 张明's group planned for 2026-12-08, listed under 今天 that day
    record = _field_record(scenario)
    JointRecord.objects.filter(pk=record.pk).update(planned_on=dt.date(2026, 12, 8))
    signed_in("scj_inspector", f"/field/records/{record.pk}/")
    expect(page.get_by_test_id("planned-on")).to_have_text("2026年12月8日")
    # when the inspector opens 修改检查日期和材料清单
    page.get_by_text("修改检查日期和材料清单").click()
    date_input = page.get_by_label("检查日期")
    # then the date picker shows the date
    expect(date_input).to_have_value("2026-12-08")
    shot("schedule-open")
    # and saving without touching it keeps the date
    click_and_wait(page, page.get_by_role("button", name="保存检查安排"))
    expect(page.get_by_text("检查安排已保存")).to_be_visible()
    expect(page.get_by_test_id("planned-on")).to_have_text("2026年12月8日")
    assert JointRecord.objects.get(pk=record.pk).planned_on == dt.date(2026, 12, 8)


def _beijing_minutes() -> str:
    from django.utils import timezone

    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("phone_zone", ["UTC"], indirect=True)
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_now_on_a_phone_set_to_utc_records_beijing_time(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from django.utils import timezone

    from spotcheck.inspections.models import JointRecord

    # given a phone whose clock is set to UTC (8 hours behind Beijing)
    record = _field_record(scenario)
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    # when the inspector taps 现在 beside 开始时间
    before = _beijing_minutes()
    page.get_by_role("button", name="现在").first.click()
    after = _beijing_minutes()
    # then the field shows Beijing time, and the server keeps that moment
    shown = page.locator("#started-at").input_value()
    assert shown in {before, after}
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步到服务器")
    shot("started")
    started = JointRecord.objects.get(pk=record.pk).started_at
    assert started is not None
    assert timezone.localtime(started).strftime("%Y-%m-%dT%H:%M") == shown


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_group_dials_the_full_number_and_a_reader_sees_it_masked(
    page: Page,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from django.conf import settings
    from django.test import Client

    from spotcheck.accounts.models import User
    from spotcheck.directory.models import Entity

    # given a record whose enterprise has full phone numbers on file
    record = _field_record(scenario)
    Entity.objects.filter(pk=record.entity_id).update(
        legal_rep_phone="18912344920", liaison_name="王联络", liaison_phone="19755667271"
    )
    # when 张明, a member of the record's group, opens the record page
    signed_in("scj_inspector", f"/field/records/{record.pk}/")
    # then the numbers are links to the real numbers
    expect(page.get_by_test_id("legal-rep-phone")).to_have_attribute("href", "tel:18912344920")
    expect(page.get_by_test_id("liaison-phone")).to_have_attribute("href", "tel:19755667271")
    sms = page.get_by_test_id("sms-link")
    expect(sms).to_have_text("用手机短信发送给 19755667271")
    assert sms.get_attribute("href").startswith("sms:19755667271?body=")
    shot("member")

    # and the auditor, who reads the record but does not call, sees them masked, unlinked
    ctx = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS["phone"], locale="zh-CN", is_mobile=True
    )
    client = Client()
    client.force_login(User.objects.get(username="auditor"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    reader = ctx.new_page()
    reader.goto(f"/field/records/{record.pk}/")
    expect(reader.get_by_test_id("legal-rep-phone")).to_have_text("189****4920")
    expect(reader.get_by_test_id("liaison-phone")).to_have_text("197****7271")
    assert reader.locator('a[href^="tel:"], a[href^="sms:"]').count() == 0
    assert "18912344920" not in reader.content()
    reader.screenshot(
        path="var/screenshots/test_the_group_dials_the_full_number-reader-phone.png",
        full_page=True,
    )
    ctx.close()
