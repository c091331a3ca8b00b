"""The seed plan end to end on the demo: draw with two officials, dispatch, confirm,
claim and draw inspectors per department, random matching and the 一企一表 records."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import click_and_wait

pytestmark = pytest.mark.browser
PASSWORD = "spotcheck-demo-2026"


def _load_demo() -> None:
    from django.apps import apps

    from spotcheck.catalogue.models import ResultCode
    from spotcheck.demo.scenario import load_demo

    # live_server flushes the database after each test, the data migration's codes included
    if not ResultCode.objects.exists():
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    load_demo(today=dt.date(2026, 3, 2))


def _shot_path(label: str) -> Any:
    from tests.browser.helpers import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"test_seed_scenario-{label}.png"


def _phone_admin(browser: Browser, live_server: Any, username: str) -> Page:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="登录"))
    return page


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_jinzhou_tenth_joint_check_from_draw_to_generated_records(
    page: Page,
    browser: Browser,
    live_server: Any,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.campaigns.models import Task
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.demo.scenario import SEED_TASK_NUMBER
    from spotcheck.draws.models import DrawnObject
    from spotcheck.inspections.models import JointRecord

    calendar_load_bundled(actor=None)
    _load_demo()
    task = Task.objects.get(number=SEED_TASK_NUMBER)
    draw_url = f"/tasks/{task.pk}/draw/"
    market = _phone_admin(browser, live_server, "scj_admin")

    # the lead office opens the task from its board and starts the draw
    signed_in("lead", "/tasks/")
    click_and_wait(page, page.get_by_role("link", name=re.compile("第十次跨部门")))
    click_and_wait(page, page.get_by_role("link", name="随机抽取", exact=True).first)
    page.get_by_label(re.compile("政府办管理员")).check()
    page.get_by_label(re.compile("市场监管局管理员（演示）（晋州市")).check()
    click_and_wait(page, page.get_by_test_id("prepare"))

    # both officials commit; the secrets are shown once
    click_and_wait(page, page.get_by_test_id("commit"))
    lead_secret = page.get_by_test_id("secret").inner_text()
    market.goto(draw_url)
    click_and_wait(market, market.get_by_test_id("commit"))
    market_secret = market.get_by_test_id("secret").inner_text()

    # announcement freezes the 72 小贷 and 典当 of the plan's scope
    page.goto(draw_url)
    click_and_wait(page, page.get_by_test_id("announce"))
    expect(page.get_by_text(re.compile(r"^72（A类"))).to_be_visible()

    # reveals, then the draw
    market.goto(draw_url)
    market.get_by_label("秘密值（64位十六进制）").fill(market_secret)
    click_and_wait(market, market.get_by_test_id("reveal"))
    page.get_by_label("秘密值（64位十六进制）").fill(lead_secret)
    click_and_wait(page, page.get_by_test_id("reveal"))
    click_and_wait(page, page.get_by_test_id("run"))
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_role("alert")).to_contain_text("抽取完成")
    shot("drawn")

    # dispatch; 市场监管局 sends one back as 已注销 and it is replaced from the reserve
    click_and_wait(page, page.get_by_test_id("dispatch"))
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id("task-state")).to_have_text("部门确认中")
    market.goto(f"/tasks/{task.pk}/objects/")
    market.get_by_label("退回理由").first.select_option(label="已注销")
    market.get_by_label("情况说明").first.fill("营业执照已注销")
    click_and_wait(market, market.get_by_role("button", name="退回并替补…").first)
    expect(market.get_by_test_id("confirm-consequences")).to_contain_text("替补：它是")
    click_and_wait(market, market.get_by_test_id("confirm-yes"))
    expect(market.get_by_role("alert")).to_contain_text("由备选名单")

    # every department confirms its list; the task moves on by itself
    click_and_wait(market, market.get_by_role("button", name="确认本部门名单"))
    click_and_wait(market, market.get_by_test_id("confirm-yes"))
    police = _phone_admin(browser, live_server, "gaj_admin")
    police.goto(f"/tasks/{task.pk}/objects/")
    click_and_wait(police, police.get_by_role("button", name="确认本部门名单"))
    click_and_wait(police, police.get_by_test_id("confirm-yes"))
    page.goto(f"/tasks/{task.pk}/objects/")
    click_and_wait(page, page.get_by_role("button", name="确认本部门名单"))
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id("task-state")).to_have_text("已确认")
    shot("confirmed")

    # the public sees the seed of the draw
    task.refresh_from_db()
    attempt = task.draw_attempts.get()
    page.goto(f"/public/tasks/{task.pk}/")
    expect(page.get_by_test_id("public-seed")).to_have_text(attempt.seed)

    # the lead office opens grouping; every department with objects claims and draws
    task_url = f"/tasks/{task.pk}/"
    page.goto(task_url)
    click_and_wait(page, page.get_by_test_id("grouping-start"))
    expect(page.get_by_test_id("task-state")).to_have_text("编组中")
    expect(page.get_by_role("button", name="随机匹配")).to_be_disabled()
    click_and_wait(page, page.get_by_role("button", name="认领并抽取执法人员"))
    expect(page.get_by_role("alert")).to_contain_text("晋州市人民政府办公室已认领")

    market.goto(task_url)
    click_and_wait(market, market.get_by_role("button", name="认领并抽取执法人员"))
    expect(market.get_by_role("alert")).to_contain_text("晋州市市场监督管理局已认领")
    # its own drawn inspectors are listed open, in their random order; 政府办's stay folded
    expect(market.locator("details[open]").get_by_test_id("drawn-inspectors")).to_be_visible()
    expect(market.locator("details:not([open])")).to_have_count(1)
    market.screenshot(path=str(_shot_path("claimed-phone")), full_page=True)

    # 公安局 has none of the drawn 小贷 and 典当 to check: nothing to claim
    police.goto(task_url)
    expect(police.get_by_text("无需检查的对象")).to_be_visible()
    expect(police.get_by_role("button", name="认领并抽取执法人员")).to_have_count(0)

    # the lead office matches; one joint record per final enterprise
    page.goto(task_url)
    click_and_wait(page, page.get_by_test_id("match"))
    click_and_wait(page, page.get_by_test_id("confirm-yes"))
    expect(page.get_by_test_id("task-state")).to_have_text("已匹配")
    records = JointRecord.objects.filter(task=task).count()
    final = DrawnObject.objects.filter(attempt=attempt).exclude(state="replaced").count()
    assert records == final
    expect(page.get_by_test_id("records-count")).to_contain_text(f"已生成一企一表 {records} 份")
    shot("matched")
    market.goto(task_url)
    expect(market.get_by_test_id("records-count")).to_contain_text(f"{records} 份")
    market.screenshot(path=str(_shot_path("matched-phone")), full_page=True)
