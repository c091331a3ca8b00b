"""The auditor's log at desktop and phone width; the API docs page under the strict CSP."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def test_the_auditor_filters_the_log_and_opens_an_entry(
    page: Page,
    scenario: Scenario,
    viewport: str,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    signed_in("auditor")
    nav("审计日志")
    expect(page.get_by_role("heading", name="审计日志", level=1)).to_be_visible()
    shot("list")

    # events and object types are named in Chinese, never by their codes
    main = page.locator("main").inner_text()
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", main), main

    # filter by the kind of the newest entry, chosen by its Chinese name
    newest = page.get_by_test_id("audit-event").first.inner_text().splitlines()[0].strip()
    page.get_by_label("事件类型").select_option(label=newest)
    click_and_wait(page, page.get_by_role("button", name="查询"))
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_be_visible()
    for text in page.get_by_test_id("audit-event").all_inner_texts():
        assert text.splitlines()[0].strip() == newest

    click_and_wait(page, rows.first.get_by_role("link"))
    expect(page.get_by_role("heading", name=re.compile(r"^审计记录 #\d+$"))).to_be_visible()
    expect(page.get_by_test_id("entry-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    shot("entry")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"]


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_api_docs_page_renders_from_local_files(page: Page, scenario: Scenario) -> None:
    page.goto("/api/v1/docs/")
    expect(page.get_by_text("spotcheck 对接接口").first).to_be_visible()
    expect(page.get_by_text("/api/v1/entities/sync/").first).to_be_visible()
