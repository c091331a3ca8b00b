"""Who sees what: another department, an inspector, the platform admin's maintenance pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import click_and_wait, open_page, result_count
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_other_department_admin_cannot_open_market_only_entity(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
) -> None:
    from spotcheck.directory.models import Entity

    hidden = scenario.scj_only  # supervised by 市场监管局 alone
    assert list(hidden.supervising_departments.values_list("name", flat=True)) == [
        "晋州市市场监督管理局"
    ]
    signed_in("gaj_admin")

    nav("检查对象名录库")
    gaj = scenario.departments["gaj"]
    assert result_count(page) == Entity.objects.filter(supervising_departments=gaj).count() == 9
    expect(page.get_by_role("link", name=hidden.name, exact=True)).to_have_count(0)

    assert open_page(page, f"/directory/entities/{hidden.pk}/") == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在或您无权查看")
    expect(page.locator("main")).not_to_contain_text(hidden.name)
    expect(page).to_have_title(re.compile("页面不存在"))

    # an entity 公安局 shares with 市场监管局 does open
    assert open_page(page, f"/directory/entities/{scenario.shared_gaj.pk}/") == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(scenario.shared_gaj.name)
    # and the edit page of the hidden one is no more reachable than its detail page
    assert open_page(page, f"/directory/entities/{hidden.pk}/edit/") == 404


def test_inspector_sees_no_entities_and_only_own_record(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    signed_in("scj_inspector")
    expect(page.get_by_text("检查对象在联合抽查任务分配给您后显示")).to_be_visible()

    nav("检查对象名录库")
    assert result_count(page) == 0
    expect(
        page.get_by_text("暂无分配给您的检查对象。联合抽查任务匹配后，检查对象会出现在这里。")
    ).to_be_visible()
    expect(page.get_by_role("link", name="新增", exact=True)).to_have_count(0)
    shot("entities")

    nav("执法检查人员名录库")
    assert result_count(page) == 1
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    own = scenario.own_inspector
    expect(rows.get_by_role("link")).to_have_text(own.name)
    expect(page.get_by_role("link", name="新增", exact=True)).to_have_count(0)

    click_and_wait(page, rows.get_by_role("link", name=own.name))
    expect(page.get_by_role("heading", level=1)).to_have_text(own.name)
    expect(page.get_by_test_id("drawable")).to_be_visible()
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    expect(page.get_by_role("button", name="登记")).to_have_count(0)

    colleague = scenario.inspectors["李强"]  # same department, still not theirs to see
    assert open_page(page, f"/directory/inspectors/{colleague.pk}/") == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在或您无权查看")


# Django admin's own words, as they read when its translation is missing
ENGLISH_ADMIN_WORDS = re.compile(
    r"\b(Site administration|Welcome|View site|Change password|Log out|Recent actions|"
    r"My actions|None available|Add|Change|View|Delete|Search|Filter|Show counts|Go|Save)\b"
)
# Latin words a Chinese page may show: the product name and the signed-in user name
ALLOWED_LATIN = {"spotcheck", "admin"}


def _english_words(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    words = re.findall(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z ]*[A-Za-z](?![A-Za-z0-9])", text)
    return [w for w in words if w.lower() not in ALLOWED_LATIN]


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)  # Django's own admin
def test_platform_admin_maintenance_is_in_chinese(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    signed_in("admin")
    nav("系统维护")

    expect(page).to_have_url(re.compile(r"/maintenance/$"))
    expect(page).to_have_title("数据维护 | spotcheck 系统维护")
    expect(page.locator("#site-name")).to_have_text("spotcheck 双随机、一公开监管平台 · 系统维护")
    tools = page.locator("#user-tools")
    for words in ("欢迎", "查看站点", "修改密码"):
        expect(tools).to_contain_text(words)
    expect(page.get_by_role("button", name="注销")).to_be_visible()
    expect(page.get_by_role("heading", name="最近动作")).to_be_visible()
    for app in ("名录库", "机构与用户", "审计日志"):
        expect(page.locator(f"caption:has-text('{app}')")).to_be_visible()
    for model in ("检查对象名录库", "执法检查人员名录库", "监管部门", "用户"):
        expect(page.get_by_role("link", name=model, exact=True)).to_be_visible()
    body = page.locator("body").inner_text()
    assert not ENGLISH_ADMIN_WORDS.findall(body), ENGLISH_ADMIN_WORDS.findall(body)
    shot("index")

    click_and_wait(page, page.get_by_role("link", name="检查对象名录库", exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("检查对象")
    expect(page.locator("#result_list tbody tr")).to_have_count(len(scenario.entities))
    expect(page.get_by_role("button", name="搜索")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_contain_text("过滤器")
    expect(page.locator("#changelist-filter")).to_contain_text("D类 信用风险高")
    body = page.locator("body").inner_text()
    assert not ENGLISH_ADMIN_WORDS.findall(body), ENGLISH_ADMIN_WORDS.findall(body)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_maintenance_index_has_no_untranslated_english(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    signed_in("admin")
    page.goto("/maintenance/")
    expect(page.get_by_role("heading", name="数据维护")).to_be_visible()
    assert _english_words(page) == []
