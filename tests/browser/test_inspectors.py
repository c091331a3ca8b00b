"""执法检查人员名录库: an expired 执法证 is flagged, and a 回避 relation is declared."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import click_and_wait, result_count
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_expired_certificate_warning_and_avoidance_added_through_the_form(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.directory.models import Avoidance

    inspector = scenario.expired_inspector
    entity = scenario.entities[12]  # 市场监管局's 晋州市聚信食品有限公司（演示）
    signed_in("scj_admin")

    nav("执法检查人员名录库")
    assert result_count(page) == 4  # 市场监管局's own inspectors only
    page.get_by_label("可否抽取").select_option(label="不可抽取")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert result_count(page) == 2  # 王芳 (expired) and 赵敏 (on leave)
    row = page.locator("table tbody tr").filter(has_text=inspector.name)
    expect(row.locator(".badge")).to_have_text("证件过期")

    click_and_wait(page, row.get_by_role("link", name=inspector.name))
    expect(page.get_by_role("heading", level=1)).to_have_text(inspector.name)
    until = inspector.certificate_valid_until.isoformat()
    expect(page.get_by_test_id("not-drawable")).to_have_text(
        re.compile(rf"^该人员当前不可被抽取：\s*执法证已于 {until} 过期$")
    )
    expect(page.get_by_test_id("drawable")).to_have_count(0)
    expect(page.get_by_text("暂无回避关系。")).to_be_visible()

    # a well-formed code (check character right) that is not in the directory is refused
    page.get_by_label("检查对象统一社会信用代码/注册号").fill("91130183MA0NEW9928")
    page.get_by_label("回避原因").select_option(label="曾在该单位任职")
    page.get_by_label("情况说明").fill("2019年至2021年曾在该企业任会计")
    click_and_wait(page, page.get_by_role("button", name="登记"))
    expect(page.get_by_test_id("error-entity_code")).to_have_text("名录库中没有该代码的检查对象")
    assert not Avoidance.objects.exists()
    shot("unknown-code")

    # the entity's code typed in lower case is found all the same
    page.get_by_label("检查对象统一社会信用代码/注册号").fill(entity.uscc.lower())
    click_and_wait(page, page.get_by_role("button", name="登记"))

    expect(page).to_have_url(re.compile(rf"/directory/inspectors/{inspector.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="已登记回避关系")).to_be_visible()
    items = page.locator(".list-group-item")
    expect(items).to_have_count(1)
    expect(items).to_contain_text(entity.name)
    expect(items).to_contain_text(entity.uscc)
    expect(items).to_contain_text("曾在该单位任职：2019年至2021年曾在该企业任会计")
    expect(items).to_contain_text("市场监管局管理员")
    avoidance = Avoidance.objects.get()
    assert (avoidance.inspector, avoidance.entity) == (inspector, entity)
    assert avoidance.declared_by == scenario.users["scj_admin"]

    # the entity's page lists the inspector among those who must not check it
    page.goto(f"/directory/entities/{entity.pk}/")
    expect(page.locator(".card").filter(has_text="回避人员")).to_contain_text(
        f"{inspector.name}：曾在该单位任职"
    )
