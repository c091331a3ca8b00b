"""The public, not signed in: the 公示 home page, the login wall and the login form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import PASSWORD, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_public_home_shows_chinese_heading(page: Page, scenario: Scenario) -> None:
    page.goto("/")

    expect(page).to_have_title(re.compile("公示"))
    expect(page.get_by_role("heading", level=1)).to_have_text("“双随机、一公开”监管公示")
    expect(page.get_by_test_id("public-entity-count")).to_have_text(str(len(scenario.entities)))
    for department in scenario.departments.values():
        expect(page.get_by_role("listitem").filter(has_text=department.name)).to_be_visible()
    # nobody is signed in: the nav offers 登录 and no directory links
    expect(page.locator("#mainnav").get_by_role("link", name="检查对象名录库")).to_have_count(0)


def test_directory_asks_anonymous_to_log_in_and_refuses_a_wrong_password(
    page: Page, scenario: Scenario
) -> None:
    page.goto("/directory/entities/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/directory/entities/$"))
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_focused()

    page.get_by_label("用户名").fill("scj_admin")
    page.get_by_label("密码").fill("wrong-password-123")
    click_and_wait(page, page.get_by_role("button", name="登录"))

    error = page.get_by_test_id("login-error")
    expect(error).to_have_text("用户名或密码不正确。连续多次失败后账号将被暂时锁定。")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/directory/entities/$"))
    # the user name stays filled in, the password does not
    expect(page.get_by_label("用户名")).to_have_value("scj_admin")
    expect(page.get_by_label("密码")).to_have_value("")

    # the right password then opens the page first asked for
    page.get_by_label("密码").fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="登录"))
    expect(page).to_have_url(re.compile(r"/directory/entities/$"))
    expect(page.get_by_role("heading", name="检查对象名录库", level=1)).to_be_visible()


def test_dept_admin_login_lands_on_workbench_with_counts(
    page: Page, scenario: Scenario, login: Callable[..., None]
) -> None:
    from spotcheck.directory.models import Entity, Inspector

    scj = scenario.departments["scj"]
    login("scj_admin", PASSWORD)

    expect(page.get_by_test_id("whoami")).to_have_text(
        "市场监管局管理员 · 部门管理员 · 晋州市市场监督管理局"
    )
    entities = Entity.objects.filter(supervising_departments=scj).distinct()
    expect(page.get_by_test_id("entity-count")).to_have_text(str(entities.count()))
    expect(page.get_by_test_id("inspector-count")).to_have_text(
        str(Inspector.objects.filter(department=scj).count())
    )
    # 张明 and 李强 are on duty with a valid 执法证; 王芳's expired, 赵敏 is on leave
    expect(page.get_by_text("其中今日可抽取（在岗且执法证有效）2 人")).to_be_visible()
    for cls in "ABCD":
        n = entities.filter(risk_class=cls).count()
        expect(page.locator(f".badge.risk-{cls}")).to_have_text(f"{cls} {n}")
    expect(page.get_by_role("link", name="新增检查对象")).to_be_visible()
