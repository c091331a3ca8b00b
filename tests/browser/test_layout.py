"""Layout on a phone (375 px) and on a desktop: the collapsing menu, no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait, open_page
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_main_menu_collapses_on_phone(
    page: Page, scenario: Scenario, viewport: str, signed_in: Callable[..., None]
) -> None:
    signed_in("scj_admin")
    toggler = page.get_by_role("button", name="展开菜单")
    menu = page.locator("#mainnav")
    links = ["工作台", "检查对象名录库", "执法检查人员名录库", "公示"]

    if viewport == "desktop":
        expect(toggler).to_be_hidden()
        for name in links:
            expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
        return

    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    for name in links:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="退出")).to_be_hidden()

    toggler.click()

    expect(toggler).to_have_attribute("aria-expanded", "true")
    for name in links:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    # every menu entry is a comfortable touch target
    for name in links:
        box = menu.get_by_role("link", name=name, exact=True).bounding_box()
        assert box
        assert box["height"] >= 32, f"{name}: {box}"

    click_and_wait(page, menu.get_by_role("link", name="执法检查人员名录库", exact=True))
    expect(page).to_have_url(re.compile(r"/directory/inspectors/$"))
    expect(toggler).to_have_attribute("aria-expanded", "false")


def _page_urls(scenario: Scenario) -> dict[str, str]:
    inspector = scenario.expired_inspector
    return {
        "entities": "/directory/entities/",
        "entities-filtered": "/directory/entities/?risk_class=D",
        "inspectors": "/directory/inspectors/",
        "entity-long-name": f"/directory/entities/{scenario.entities[5].pk}/",
        "entity-new": "/directory/entities/new/",
        "inspector": f"/directory/inspectors/{inspector.pk}/",
        "workbench": "/workbench/",
    }


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_no_horizontal_scroll_on_phone(
    page: Page,
    scenario: Scenario,
    viewport: str,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    width = VIEWPORTS[viewport]["width"]
    widths = {}

    page.goto("/")
    widths["public-home"] = page.evaluate("document.documentElement.scrollWidth")
    page.goto("/accounts/login/")
    widths["login"] = page.evaluate("document.documentElement.scrollWidth")

    signed_in("scj_admin")
    for key, url in _page_urls(scenario).items():
        assert open_page(page, url) == 200, url
        widths[key] = page.evaluate("document.documentElement.scrollWidth")
        if key in ("entities", "inspectors", "entity-long-name", "entity-new"):
            shot(key)

    too_wide = {key: w for key, w in widths.items() if w > width}
    assert not too_wide, f"pages wider than {width}px: {too_wide}"


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_desktop_menu_entries_stay_on_one_line(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    """CJK entries have no spaces: without ``nowrap`` a crowded bar breaks them per character."""
    signed_in("admin")  # the platform admin has the most menu entries
    lines = page.evaluate(
        """() => [...document.querySelectorAll('#mainnav .nav-link, #mainnav button')].map(e => {
            const s = getComputedStyle(e);
            const inner = e.getBoundingClientRect().height
                - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)
                - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
            return [e.innerText.trim(), Math.round(inner / parseFloat(s.lineHeight))];
        })"""
    )
    wrapped = {text: n for text, n in lines if n > 1}
    assert not wrapped, f"menu entries on more than one line: {wrapped}"
