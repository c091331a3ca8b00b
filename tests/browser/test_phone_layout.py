"""At phone width (375 px): nothing floats over what the user taps; charts and tables fit.

Screenshots: var/screenshots/test_sync_banner*-phone.png, test_statistics_*-phone.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SCREENSHOT_DIR as SCREENSHOTS
from tests.browser.helpers import VIEWPORTS
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import case_from_a_check as _case_from_a_check
from tests.browser.scenario_setup import offline_records as _records

pytestmark = pytest.mark.browser

Box = dict[str, float]


def _overlap(a: Box, b: Box) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _box(page: Page, selector: str, index: int = 0) -> Box:
    box = page.locator(selector).nth(index).bounding_box()
    assert box is not None, selector
    return box


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_sync_banner_never_lies_over_a_result_check_box_the_browser_scrolls_to(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
) -> None:
    # given 张明's fill page on a phone, scrolled to its end
    record, _ = _records(scenario)
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")
    boxes = page.locator("input[data-code]")
    count = boxes.count()
    assert count == 19  # every national result code is an option of the item
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling: measure where it stops
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    height = VIEWPORTS["phone"]["height"]
    covered = []
    # when he moves back up through the check boxes (keyboard, screen reader, switch access)
    for i in reversed(range(count)):
        boxes.nth(i).focus()
        banner, box = _box(page, "#sync-status"), _box(page, "input[data-code]", i)
        # then each one lands in sight below the floating banner, and a tap on it reaches it
        hit = boxes.nth(i).evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"
        )
        if _overlap(banner, box) or not hit or box["y"] < 0 or box["y"] + box["height"] > height:
            covered.append((i, round(box["y"]), round(banner["y"] + banner["height"])))
        if i == 10:  # what the screen shows (a full-page shot would move the banner)
            page.screenshot(path=str(SCREENSHOTS / "test_sync_banner-focused-phone.png"))
    assert covered == []
    # and the banner still floats at the top of the screen while the page is scrolled
    assert page.evaluate("window.scrollY") > 0
    assert _box(page, "#sync-status")["y"] == 0
    expect(page.get_by_test_id("sync-status")).to_be_visible()


def _chart_texts(page: Page, key: str) -> tuple[Box, list[tuple[str, Box]]]:
    found: Any = page.evaluate(
        """key => {
            const chart = document.querySelector(`[data-testid=figure-${key}] .stats-chart`);
            const r = chart.getBoundingClientRect();
            const texts = [...chart.querySelectorAll('svg text')]
              .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
              .map(t => {
                const b = t.getBoundingClientRect();
                return [t.textContent, {x: b.x, y: b.y, width: b.width, height: b.height}];
              });
            return [{x: r.x, y: r.y, width: r.width, height: r.height}, texts];
        }""",
        key,
    )
    return found[0], [(text, box) for text, box in found[1]]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_statistics_charts_labels_neither_overlap_nor_leave_the_chart_on_a_phone(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    # given a finding carried to a case, so that four figures have a chart
    _case_from_a_check(scenario)
    # when the lead office opens 统计分析 on a phone
    signed_in("lead", "/stats/")
    expect(page.locator(".stats-chart svg")).to_have_count(4)
    # then every word of every chart is whole inside its chart and clear of every other
    problems = []
    for key in ("timeliness", "results", "cases", "visits"):
        area, texts = _chart_texts(page, key)
        assert len(texts) >= 4, (key, texts)
        for text, box in texts:
            inside = (
                box["x"] >= area["x"] - 1
                and box["x"] + box["width"] <= area["x"] + area["width"] + 1
                and box["y"] >= area["y"] - 1
                and box["y"] + box["height"] <= area["y"] + area["height"] + 1
            )
            if not inside:
                problems.append(f"{key}: {text} outside the chart")
        for n, (text, box) in enumerate(texts):
            for other, other_box in texts[n + 1 :]:
                if _overlap(box, other_box):
                    problems.append(f"{key}: {text} over {other}")
        # no label is shortened with an ellipsis, none is hidden behind a legend pager
        assert [t for t, _ in texts if t.endswith("...") or t == "1/2"] == [], key
    assert problems == []
    # and the long category names are there in full, wrapped
    _, texts = _chart_texts(page, "timeliness")
    assert "派发对象确认" in [t for t, _ in texts]
    shot("charts")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_statistics_tables_fit_a_phone_with_every_value_beside_its_column_name(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    # given
    _case_from_a_check(scenario)
    # when
    signed_in("lead", "/stats/")
    # then no table is wider than its card: nothing is cut off at the screen's edge
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.stats-table')].map(w => [
             w.dataset.testid, w.scrollWidth, w.clientWidth,
             Math.round(w.getBoundingClientRect().right)])"""
    )
    assert len(widths) == 6
    assert [w for w in widths if w[1] > w[2] or w[3] > VIEWPORTS["phone"]["width"]] == []
    # and each value is shown with the name of its column (the header row is only read aloud)
    visits = page.get_by_test_id("table-visits")
    first = visits.locator("tbody tr").first.locator("td")
    labels = first.evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    columns = visits.locator("thead th").all_inner_texts()
    assert labels == [f'"{c}"' for c in columns]
    assert visits.locator("thead").evaluate("el => el.getBoundingClientRect().height") <= 1


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_statistics_tables_keep_one_line_a_row_on_a_desktop(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    # given
    _case_from_a_check(scenario)
    # when
    signed_in("lead", "/stats/")
    # then the header row shows and a wide table scrolls sideways inside its card
    visits = page.get_by_test_id("table-visits")
    expect(visits.locator("thead th").first).to_be_visible()
    label = visits.locator("td").first.evaluate("c => getComputedStyle(c, '::before').content")
    assert label == "none"
    overflow = visits.evaluate("w => getComputedStyle(w).overflowX")
    assert overflow == "auto"
