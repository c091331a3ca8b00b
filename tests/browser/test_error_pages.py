"""The error pages a citizen or an official may meet: Chinese, styled like the site, with a
way home (the live server runs with DEBUG off, as `make run` and production do)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import click_and_wait, open_page
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_a_mistyped_public_address_shows_the_chinese_404_with_a_way_home(
    page: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    # when
    status = open_page(page, "/public/resluts/")

    # then
    assert status == 404
    expect(page).to_have_title("页面不存在 · spotcheck")
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在或您无权查看")
    expect(page.get_by_text("URLconf")).to_have_count(0)
    shot("404")
    click_and_wait(page, page.get_by_role("link", name="返回首页"))
    expect(page.get_by_role("heading", level=1)).to_have_text("“双随机、一公开”监管公示")


def test_a_nul_in_the_look_up_is_explained_in_chinese(page: Page, scenario: Scenario) -> None:
    # when
    status = open_page(page, "/public/lookup/?q=abc%00")

    # then
    assert status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("请求无效")
    expect(page.get_by_text("请求中含有不允许的空字符")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()


def test_a_login_form_sent_after_its_cookie_was_lost_explains_what_to_do(
    page: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    # given: the form is open, then the browser loses its cookies (another tab, a restart)
    page.goto("/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("用户名").fill("scj_admin")
    page.get_by_label("密码").fill("whatever-123")

    # when
    click_and_wait(page, page.get_by_role("button", name="登录"))

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("页面已过期，本次提交未生效")
    expect(page.get_by_text("请返回上一页并刷新后重新填写提交")).to_be_visible()
    expect(page.get_by_text("CSRF")).to_have_count(0)
    shot("expired")
    click_and_wait(page, page.get_by_role("link", name="返回首页"))
    expect(page).to_have_url(re.compile(r"/$"))
