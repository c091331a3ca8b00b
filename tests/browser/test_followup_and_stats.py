"""A problem found in a check carried to a closed case through a transfer; the statistics.

Screenshots: var/screenshots/test_case_*-{desktop,phone}.png and test_statistics_*.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import click_and_wait
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import case_from_a_check as _case_from_a_check

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_case_carried_from_the_finding_through_a_transfer_to_closure(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    context: Any,
    tmp_path: Any,
) -> None:
    case = _case_from_a_check(scenario)
    url = f"/followup/cases/{case.pk}/"

    # the market admin finds the case in the list and transfers it to the police
    signed_in("scj_admin", "/followup/cases/")
    click_and_wait(page, page.get_by_role("link", name=scenario.shared_gaj.name))
    expect(page).to_have_url(re.compile(rf"{url}$"))
    expect(page.get_by_test_id("case-state")).to_have_text("处置中")
    expect(page.get_by_test_id("case-findings")).to_contain_text("未按规定公示2025年度报告")
    shot("opened")
    transfer = page.get_by_test_id("action-transfer")
    transfer.locator("summary").click()
    # first a transfer to the own department: refused with a clear message
    transfer.get_by_label("移交至").select_option(label="晋州市市场监督管理局")
    transfer.get_by_label("移交理由").fill("测试移交本部门")
    click_and_wait(page, transfer.get_by_role("button", name="移交"))
    expect(page.get_by_test_id("action-transfer")).to_contain_text("不能移交给本部门")
    transfer = page.get_by_test_id("action-transfer")
    transfer.get_by_label("移交至").select_option(label="晋州市公安局")
    transfer.get_by_label("移交理由").fill("从事保安服务未取得许可，属公安机关管辖")
    click_and_wait(page, transfer.get_by_role("button", name="移交"))
    expect(page.get_by_test_id("case-state")).to_have_text("移交待接收")

    # the police admin accepts, records the measure with its evidence and closes
    context.clear_cookies()
    signed_in("gaj_admin", url)
    accept = page.get_by_test_id("action-accept")
    click_and_wait(page, accept.get_by_role("button", name="接收移交"))
    expect(page.get_by_test_id("case-department")).to_have_text("晋州市公安局")
    measure = page.get_by_test_id("action-measure")
    measure.get_by_label("处置措施").select_option(label="立案查处")
    measure.get_by_label("措施说明").fill("晋公（治）立字〔2026〕15号")
    evidence = tmp_path / "立案决定书.pdf"
    evidence.write_bytes(PDF)
    measure.get_by_label("证据材料").set_input_files(str(evidence))
    click_and_wait(page, measure.get_by_role("button", name="记录处置措施"))
    expect(page.get_by_test_id("case-steps")).to_contain_text("立案决定书.pdf")
    close = page.get_by_test_id("action-close")
    close.locator("summary").click()
    # closing without a result is refused
    click_and_wait(page, close.get_by_role("button", name="办结"))
    expect(page.get_by_test_id("error-result")).to_be_visible()
    close = page.get_by_test_id("action-close")
    close.get_by_label("处置结果").fill("责令停止违法行为，罚款人民币五千元")
    # not without ticking what closing does
    click_and_wait(page, close.get_by_role("button", name="办结"))
    expect(page.get_by_test_id("error-confirmed")).to_contain_text("请勾选确认后再办结")
    close = page.get_by_test_id("action-close")
    close.get_by_label("处置结果").fill("责令停止违法行为，罚款人民币五千元")
    close.get_by_label("我已核对").check()
    shot("close-confirmation")
    click_and_wait(page, close.get_by_role("button", name="办结"))

    expect(page.get_by_test_id("case-state")).to_have_text("已办结")
    expect(page.get_by_test_id("case-result")).to_have_text("责令停止违法行为，罚款人民币五千元")
    expect(page.get_by_text("已在企业公示信息中公开")).to_be_visible()
    steps = page.get_by_test_id("case-steps").locator("li")
    expect(steps).to_have_count(5)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]


def test_statistics_page_draws_every_chart(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    _case_from_a_check(scenario)

    signed_in("lead", "/stats/")

    expect(page.get_by_role("heading", name="统计分析", level=1)).to_be_visible()
    # figures with data draw an SVG chart; the table is there for each
    expect(page.locator("[data-testid=figure-results] .stats-chart svg")).to_have_count(1)
    expect(page.locator("[data-testid=figure-cases] .stats-chart svg")).to_have_count(1)
    expect(page.locator("[data-testid=figure-visits] .stats-chart svg")).to_have_count(1)
    expect(page.locator("[data-testid=figure-timeliness] table tbody tr")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # type: ignore[index]
    with page.expect_download() as download:
        page.get_by_test_id("figure-cases").get_by_role("link", name="导出 XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
