"""What the browser tests share besides fixtures: the scenario's names, the viewports, and
actions on a page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from spotcheck.accounts.models import User

BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = BASE_DIR / "var" / "screenshots"

PASSWORD = "Liulanqi-Ceshi-2026"
JINZHOU = "130183"
LEAD = "晋州市人民政府办公室"
SCJ = "晋州市市场监督管理局"
GAJ = "晋州市公安局"

VIEWPORTS: dict[str, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 812},
}


def click_and_wait(page: Page, target: Locator) -> None:
    """Click something that loads a new page, and return once that page has loaded.

    Waiting on the navigation event is much faster than letting ``expect`` poll.
    """
    with page.expect_navigation():
        target.click()


def open_page(page: Page, url: str) -> int:
    """Go to ``url`` and return the HTTP status of the page shown."""
    response = page.goto(url)
    assert response is not None, url
    return response.status


def result_count(page: Page) -> int:
    """Read the "共 N 条" / "共 N 人" line of a directory list."""
    text = page.get_by_test_id("result-count").inner_text()
    match = re.fullmatch(r"共 (\d+) [条人]", text.strip())
    assert match, f"unexpected result count text: {text!r}"
    return int(match.group(1))


def draw_on_pad(page: Page, pad: Locator) -> None:
    """Draw a signature stroke on a signature pad."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 100)
    page.mouse.down()
    for dx, dy in ((80, 40), (140, 110), (200, 50), (260, 90)):
        page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def fits_phone(page: Page) -> None:
    """No sideways scrolling at 375 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"{page.url}: {width}px wide"


def reviewer_page(browser: Browser, live_server: Any, username: str) -> tuple[BrowserContext, Page]:
    """A second phone context signed in as ``username``, and a page of it."""
    ctx = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS["phone"], locale="zh-CN", is_mobile=True
    )
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return ctx, ctx.new_page()
