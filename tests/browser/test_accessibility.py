"""Accessibility (GB/T 37668-2019, WCAG 2.1 AA): axe itself, visible focus, 长者模式.

axe-core runs on every page of every browser test (conftest ``axe_audit``); these tests
prove that the check finds a violation when there is one, that keyboard focus is visible
on every interactive element of the portal, the login and the staff menu, and that the
large-text mode works and is remembered.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import field_record as _field_record

pytestmark = pytest.mark.browser

LOW_CONTRAST_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><title>自检</title></head><body><main>'
    '<p id="pale" style="color:#aaaaaa;background:#ffffff">浅灰色的字</p></main></body></html>'
)


def test_the_axe_check_reports_rule_impact_selector_and_url_of_a_violation(
    page: Page, context: BrowserContext, axe_audit: AxeAudit, scenario: Scenario
) -> None:
    # given: a page with grey text on white (2.32:1), served under the site's address
    context.route(
        "**/axe-self-test/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=LOW_CONTRAST_PAGE),
    )

    # when
    page.goto("/axe-self-test/")

    # then
    found = [(v.rule, v.impact, v.selector) for v in axe_audit.violations]
    assert found == [("color-contrast", "serious", "#pale")]
    assert axe_audit.violations[0].url == page.url
    assert page.url.endswith("/axe-self-test/")
    assert axe_audit.report().splitlines()[1:3] == [
        "color-contrast [serious] #pale",
        f"    page: {page.url}",
    ]
    axe_audit.violations.clear()  # the self-test page is not part of the site


# --------------------------------------------------------------------------- focus


@dataclass
class FocusShot:
    element: str
    where: str
    changed: int  # pixels whose colour changed with 3:1 or more when focused
    needed: int  # the element's perimeter: a ring of at least one pixel all around


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrasting_pixels(focused: bytes, unfocused: bytes) -> int:
    """Pixels that changed between the two shots with a contrast of 3:1 or more."""
    a = Image.open(io.BytesIO(focused)).convert("RGB")
    b = Image.open(io.BytesIO(unfocused)).convert("RGB")
    cache: dict[tuple[int, ...], float] = {}
    count = 0
    for pa, pb in zip(a.get_flattened_data(), b.get_flattened_data(), strict=True):
        if pa == pb:
            continue
        la = cache.setdefault(pa, _luminance(pa))
        lb = cache.setdefault(pb, _luminance(pb))
        hi, lo = max(la, lb), min(la, lb)
        if (hi + 0.05) / (lo + 0.05) >= 3:
            count += 1
    return count


_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // round the page once; Tab inside a date-time box moves between its parts
  const again = el === window.__first;
  const same = el === window.__focused;
  window.__first = window.__first || el;
  window.__focused = el;
  // an input hidden behind its label (a file input, a .btn-check radio) is seen as the label
  const hidden = el.getBoundingClientRect().width < 4 || el.classList.contains("btn-check");
  const label = hidden && ((el.labels && el.labels[0]) || el.closest("label"));
  const r = (label || el).getBoundingClientRect();
  const field = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName);
  const name = ((field && el.name) || el.getAttribute("aria-label") || el.innerText || "")
    .trim().slice(0, 20);
  return {x: r.x, y: r.y, width: r.width, height: r.height,
          element: `${el.tagName.toLowerCase()} "${name}"`, again, same};
}"""


def _tab_through(page: Page, limit: int = 60) -> list[FocusShot]:
    """Press Tab through the page; shoot each focused element with and without focus."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]  # type: ignore[index]
    shots: list[FocusShot] = []
    page.evaluate("() => window.scrollTo(0, 0)")
    for _ in range(limit):
        page.keyboard.press("Tab")
        box: dict[str, Any] | None = page.evaluate(_FOCUSED)
        if box is None:
            continue  # past the last element: the next Tab starts at the top again
        if box["again"]:
            break  # round the whole page
        if box["same"]:
            continue
        if box["width"] == 0 or box["height"] == 0:
            continue
        x0, y0 = max(box["x"] - 8, 0), max(box["y"] - 8, 0)
        x1 = min(box["x"] + box["width"] + 8, width)
        y1 = min(box["y"] + box["height"] + 8, height)
        clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
        focused = page.screenshot(clip=clip, animations="disabled")
        page.evaluate("() => window.__focused.blur()")
        unfocused = page.screenshot(clip=clip, animations="disabled")
        page.evaluate("() => window.__focused.focus()")
        needed = int(2 * (min(box["width"], x1 - x0) + min(box["height"], y1 - y0)))
        where = f"({box['x']:.0f},{box['y']:.0f}) {box['width']:.0f}x{box['height']:.0f}"
        shots.append(
            FocusShot(box["element"], where, _contrasting_pixels(focused, unfocused), needed)
        )
    return shots


def _invisible(shots: list[FocusShot]) -> list[str]:
    return [
        f"{s.element} at {s.where}: {s.changed} px changed at 3:1, {s.needed} needed"
        for s in shots
        if s.changed < s.needed
    ]


@pytest.mark.parametrize("url", ["/", "/public/lookup/?q=晋州", "/public/open-data/"])
def test_keyboard_focus_is_visible_on_every_element_of_the_portal(
    page: Page, scenario: Scenario, shot: Callable[[str], None], url: str
) -> None:
    # given
    page.emulate_media(reduced_motion="reduce")
    page.goto(url)

    # when
    shots = _tab_through(page)

    # then: every element the keyboard reaches shows a 3:1 ring around it
    assert len(shots) >= 5, [s.element for s in shots]
    assert _invisible(shots) == []


def test_keyboard_focus_is_visible_on_the_login_form_with_an_error(
    page: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    # given: a refused password
    page.emulate_media(reduced_motion="reduce")
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("scj_admin")
    page.get_by_label("密码").fill("wrong-password-123")
    click_and_wait(page, page.get_by_role("button", name="登录"))

    # when
    shots = _tab_through(page)

    # then
    assert {'input "username"', 'input "password"', 'button "登录"'} <= {s.element for s in shots}
    assert _invisible(shots) == []
    # the fields say why they are invalid
    for label in ("用户名", "密码"):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(
            "用户名或密码不正确。连续多次失败后账号将被暂时锁定。"
        )
    page.get_by_label("密码").focus()
    shot("focus-password")


def test_keyboard_focus_is_visible_in_the_staff_menu(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    # given
    page.emulate_media(reduced_motion="reduce")
    signed_in("lead")

    # when
    shots = _tab_through(page)

    # then: on the blue menu bar too (on a phone the menu button stands for the links)
    names = {s.element for s in shots}
    if page.viewport_size == VIEWPORTS["desktop"]:
        assert {'a "抽查任务"', 'a "两步验证"', 'button "退出"'} <= names
    else:
        assert 'button "展开菜单"' in names
    assert _invisible(shots) == []
    toggler = page.locator(".navbar-toggler")
    (toggler if toggler.is_visible() else page.locator("#mainnav .nav-link").first).focus()
    shot("focus-menu")


# --------------------------------------------------------------------------- 长者模式


def _font_px(page: Page, selector: str) -> float:
    return float(
        page.locator(selector)
        .first.evaluate("e => getComputedStyle(e).fontSize")
        .removesuffix("px")
    )


def test_the_large_text_mode_enlarges_the_portal_and_is_remembered(
    page: Page, scenario: Scenario, shot: Callable[[str], None], viewport: str
) -> None:
    # given: 375 px, or a 1366 px office screen
    if viewport == "desktop":
        page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/public/lookup/?q=晋州")
    toggle = page.get_by_role("button", name="长者模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = _font_px(page, "body")

    # when
    toggle.click()

    # then: larger type, nothing wider than the screen
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)large-text(\s|$)"))
    large = _font_px(page, "body")
    assert large / normal == (1.25 if viewport == "desktop" else 1.1875)
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot("on")

    # and: remembered on the next page
    page.goto("/")
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)large-text(\s|$)"))
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width

    # when: switched off again
    page.get_by_role("button", name="长者模式").click()

    # then
    expect(page.locator("html")).not_to_have_class(re.compile(r"large-text"))
    page.reload()
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "false")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_keyboard_focus_is_visible_on_the_inspectors_record_page(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    # given: the 一企一表 of 张明's group, opened on his phone
    page.emulate_media(reduced_motion="reduce")
    record = _field_record(scenario)
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")

    # when
    shots = _tab_through(page, limit=150)

    # then: the options, the text boxes, the signature pads' 清除 and the buttons
    assert sum(s.element == 'button "清除"' for s in shots) >= 2, [s.element for s in shots]
    assert _invisible(shots) == []


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_refused_result_choice_marks_its_group_invalid_and_tied_to_the_message(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    # given: the 一企一表 on the inspector's phone
    record = _field_record(scenario)
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")
    results = page.get_by_role("group", name="检查结果").first
    found = results.get_by_role("checkbox", name="发现问题待后续处理", exact=True)

    # when: a problem is reported without saying which kind
    found.check()

    # then
    expect(results).to_have_attribute("aria-invalid", "true")
    expect(results).to_have_accessible_description(
        "选择“发现问题待后续处理”时，须选择具体的问题类别"
    )
    shot("refused")

    # when: it is taken back
    found.uncheck()

    # then
    expect(results).not_to_have_attribute("aria-invalid", "true")
    expect(results).to_have_accessible_description("")
