"""The platform admin keeps the working-day calendar; the lead office runs a verifiable draw."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import BASE_DIR, click_and_wait, open_page
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import published_task as _published_task

pytestmark = pytest.mark.browser


def test_admin_reads_the_2026_grid_and_confirms_2027(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    from spotcheck.deadlines.models import CalendarDay, CalendarYear
    from spotcheck.deadlines.services import calendar_load_bundled

    calendar_load_bundled(actor=None)
    signed_in("admin", "/calendar/2026/")

    # the 2026 arrangement is confirmed and its make-up Sunday is marked
    expect(page.get_by_test_id("year-status")).to_have_text("已确认")
    expect(page.get_by_text("国办发明电〔2025〕7号")).to_be_visible()
    expect(page.locator('[data-day="2026-01-04"]').locator("..")).to_have_class(
        re.compile("cal-makeup_workday")
    )
    shot("2026")

    # 2027 is entered day by day and confirmed against its notice
    assert open_page(page, "/calendar/2027/") == 200
    click_and_wait(page, page.get_by_role("button", name="新建2027年安排"))
    click_and_wait(page, page.locator('[data-day="2027-01-01"]'))
    page.get_by_label("类型").select_option("holiday")
    page.get_by_label("节日名称").fill("元旦")
    click_and_wait(page, page.get_by_role("button", name="保存"))
    expect(page.get_by_text("已保存 2027年01月01日 的设置")).to_be_visible()
    page.get_by_label("依据通知文号").fill("国办发明电〔2026〕X号")
    click_and_wait(page, page.get_by_test_id("confirm-year"))

    expect(page.get_by_test_id("year-status")).to_have_text("已确认")
    assert CalendarYear.objects.get(year=2027).confirmed
    assert CalendarDay.objects.get(day=dt.date(2027, 1, 1)).name == "元旦"
    shot("2027-confirmed")


def _lead_names_the_officials(page: Page, signed_in: Callable[..., None], url: str) -> None:
    """Sign in as the lead office on the draw page and tick its own and the market's admin."""
    signed_in("lead", url)
    page.get_by_label(re.compile("晋州市人民政府办公室")).first.check()
    page.get_by_label(re.compile("晋州市市场监督管理局")).first.check()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_lead_and_market_admin_draw_and_the_bundle_verifies(
    page: Page,
    browser: Browser,
    scenario: Scenario,
    live_server: object,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    tmp_path: Path,
) -> None:
    from django.conf import settings
    from django.test import Client

    task = _published_task(scenario)
    url = f"/tasks/{task.pk}/draw/"

    # the lead office names two officials of different departments
    _lead_names_the_officials(page, signed_in, url)
    click_and_wait(page, page.get_by_test_id("prepare"))
    click_and_wait(page, page.get_by_test_id("commit"))
    lead_secret = page.get_by_test_id("secret").inner_text()

    # the 市场监管局 admin commits on a phone, in another browser
    phone = browser.new_context(viewport={"width": 375, "height": 812}, base_url=live_server.url)  # type: ignore[attr-defined]
    client = Client()
    client.force_login(scenario.users["scj_admin"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    phone.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])  # type: ignore[attr-defined]
    market = phone.new_page()
    market.goto(url)
    click_and_wait(market, market.get_by_test_id("commit"))
    market_secret = market.get_by_test_id("secret").inner_text()

    # announce, reveal (a wrong secret is refused), draw
    page.goto(url)
    click_and_wait(page, page.get_by_test_id("announce"))
    expect(page.get_by_test_id("attempt-status")).to_have_text("已公告，待公布秘密值")
    market.goto(url)
    market.get_by_label("秘密值（64位十六进制）").fill(lead_secret)
    market.get_by_test_id("reveal").click()  # checked in the browser, never sent
    expect(market.get_by_test_id("secret-error")).to_contain_text("与您在第1次抽取中作出的承诺不符")
    market.get_by_label("秘密值（64位十六进制）").fill(market_secret)
    click_and_wait(market, market.get_by_test_id("reveal"))
    market.screenshot(
        path=str(BASE_DIR / "var" / "screenshots" / "draw-market-phone.png"), full_page=True
    )
    phone.close()
    page.get_by_label("秘密值（64位十六进制）").fill(lead_secret)
    click_and_wait(page, page.get_by_test_id("reveal"))
    click_and_wait(page, page.get_by_test_id("run"))
    expect(page.get_by_test_id("confirmation")).to_contain_text("确认执行抽取")
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_role("alert")).to_contain_text("抽取完成")
    expect(page.get_by_test_id("seed")).to_have_text(re.compile("^[0-9a-f]{64}$"))
    shot("drawn")

    # the downloaded bundle verifies with the standalone script, outside the project
    with page.expect_download() as download:
        page.get_by_role("link", name="下载复核数据包（DRAW-v1）").click()
    archive = tmp_path / "bundle.zip"
    download.value.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path)
    bundle = next(p for p in tmp_path.iterdir() if p.is_dir())
    verified = subprocess.run(  # noqa: S603 - the project's own verifier
        [sys.executable, str(BASE_DIR / "tools" / "verify_draw.py"), str(bundle)],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_lead_naming_a_drand_round_already_published_is_told_to_pick_a_later_one(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    from spotcheck.draws.models import DrawAttempt

    task = _published_task(scenario)
    url = f"/tasks/{task.pk}/draw/"

    # the lead office names quicknet round 657413 (published in September 2023)
    _lead_names_the_officials(page, signed_in, url)
    page.get_by_label("公共随机源：drand网络（可选）").select_option("quicknet")
    page.get_by_label("drand轮次").fill("657413")
    click_and_wait(page, page.get_by_test_id("prepare"))

    # refused beside the round, with when it came out and a later round to name; the form
    # keeps what was entered and nothing was opened
    expect(page.get_by_test_id("form-errors")).to_contain_text("未发起抽取")
    error = page.get_by_test_id("error-drand_round")
    expect(error).to_contain_text("drand quicknet链第657413轮已于2023-09-15 19:00:03产生")
    expect(error).to_contain_text("请声明公告之后才产生的轮次")
    expect(page.get_by_label("drand轮次")).to_have_value("657413")
    expect(page.get_by_label("drand轮次")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("公共随机源：drand网络（可选）")).to_have_value("quicknet")
    expect(page.get_by_label(re.compile("晋州市市场监督管理局")).first).to_be_checked()
    assert not DrawAttempt.objects.filter(task=task).exists()
    shot("refused")
