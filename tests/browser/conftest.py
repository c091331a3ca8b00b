"""Fixtures of the browser tests: one Chromium per session, a fresh context per test.

The pages are served by pytest-django's ``live_server``; it needs the transactional
database, which is flushed after every test, so each test builds the small 晋州市
scenario of ``scenario_setup.py`` (3 departments, 30 entities, 8 inspectors, one user per
role) again. That takes a fraction of a second on SQLite and on PostgreSQL, far less than
the demo. Constants and page actions the tests share are in ``helpers.py``.

Screenshots of every test go to ``var/screenshots/<test>-<viewport>.png``.

Every page any test opens (also in contexts a test makes itself) is checked by axe-core
for serious and critical WCAG 2.1 AA violations (``tests/browser/axe.py``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop in the main thread; Django would otherwise
# refuse every ORM call made by the test itself ("SynchronousOnlyOperation").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from spotcheck.accounts.models import User  # noqa: E402
from tests.browser.axe import AxeAudit  # noqa: E402
from tests.browser.helpers import PASSWORD, SCREENSHOT_DIR, VIEWPORTS, click_and_wait, open_page
from tests.browser.scenario_setup import Scenario, build_scenario

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# generous: CI shares two cores with PostgreSQL, the live server and Chromium
expect.set_options(timeout=30_000)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "找不到 chromium，浏览器测试无法运行：请先执行 scripts/ensure-system.sh browser "
            "(chromium not found: run scripts/ensure-system.sh browser)",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    _watch_new_pages(browser)
    yield browser
    browser.close()


# the audit of the running test; every page opened while it runs is watched by it
_current_audit: list[AxeAudit] = []


def _watched(page: Page) -> Page:
    if _current_audit and not getattr(page, "_axe_watched", False):
        _current_audit[0].watch(page)
        page._axe_watched = True  # type: ignore[attr-defined]
    return page


def _watch_new_pages(browser: Browser) -> None:
    """Make every page of every context of ``browser`` watched by the current axe audit."""
    new_context, new_page = browser.new_context, browser.new_page

    def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
        ctx = new_context(*args, **kwargs)
        ctx_new_page = ctx.new_page
        ctx.new_page = lambda: _watched(ctx_new_page())  # type: ignore[method-assign]
        return ctx

    browser.new_context = watched_context  # type: ignore[method-assign]
    browser.new_page = lambda *a, **k: _watched(new_page(*a, **k))  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def axe_audit() -> Iterator[AxeAudit]:
    """axe-core on every page the test opens; serious or critical violations fail it."""
    audit = AxeAudit()
    _current_audit[:] = [audit]
    yield audit
    _current_audit.clear()
    if audit.violations:
        pytest.fail(audit.report(), pytrace=False)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The viewport name; override with ``@pytest.mark.parametrize(..., indirect=True)``."""
    return str(request.param)


@pytest.fixture
def context(browser: Browser, live_server: Any, viewport: str) -> Iterator[BrowserContext]:
    phone = viewport == "phone"
    ctx = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORTS[viewport],
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
        accept_downloads=True,
    )
    ctx.set_default_timeout(30_000)
    # The site has no favicon; answering the browser's request here keeps Django's 404 log
    # quiet and keeps a stray request off the in-memory SQLite connection the test shares.
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    yield ctx
    ctx.close()


@dataclass
class PageProblems:
    """JavaScript errors and Content-Security-Policy refusals seen by the page."""

    errors: list[str]

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"JS: {error}")


def _screenshot_name(request: pytest.FixtureRequest, viewport: str, label: str = "") -> Path:
    test = request.node.originalname
    stem = f"{test}-{label}-{viewport}" if label else f"{test}-{viewport}"
    return SCREENSHOT_DIR / f"{stem}.png"


@pytest.fixture
def page(
    context: BrowserContext, request: pytest.FixtureRequest, viewport: str, axe_audit: AxeAudit
) -> Iterator[Page]:
    """A new page; a full-page screenshot is saved when the test ends, passed or not.

    Every page still open in the test's context is checked by axe before it closes.
    """
    problems = PageProblems(errors=[])
    pg = context.new_page()
    pg.on("console", problems.on_console)
    pg.on("pageerror", problems.on_page_error)
    yield pg
    for other in context.pages:
        if other is not pg:
            axe_audit.check(other)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=_screenshot_name(request, viewport), full_page=True)
    except Exception as exc:  # a screenshot must never hide the real failure
        print(f"screenshot failed: {exc}")  # noqa: T201
    assert not problems.errors, "页面报错：\n" + "\n".join(problems.errors)


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest, viewport: str) -> Callable[[str], None]:
    """Save an intermediate full-page screenshot ``<test>-<label>-<viewport>.png``."""

    def take(label: str) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=_screenshot_name(request, viewport, label), full_page=True)

    return take


# --------------------------------------------------------------------------- actions


@pytest.fixture
def login(page: Page) -> Callable[..., None]:
    """Sign in through the login form; returns once the 工作台 is shown."""

    def sign_in(username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        click_and_wait(page, page.get_by_role("button", name="登录"))
        expect(page).to_have_url(re.compile(r"/workbench/$"))
        expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()

    return sign_in


@pytest.fixture
def signed_in(page: Page, context: BrowserContext, live_server: Any) -> Callable[..., None]:
    """Open ``start`` (the 工作台 by default) in a session of ``username``, without typing.

    The login form has tests of its own; elsewhere this saves a page load per test.
    """

    def sign_in(username: str, start: str = "/workbench/") -> None:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        assert open_page(page, start) == 200, start
        expect(page.get_by_test_id("whoami")).to_be_attached()

    return sign_in


@pytest.fixture
def nav(page: Page) -> Callable[[str], None]:
    """Follow a link of the main navigation, opening the collapsed menu on a phone."""

    def follow(name: str) -> None:
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            expect(toggler).to_have_attribute("aria-expanded", "true")
            # Bootstrap marks the menu "show" only when its opening animation has ended;
            # a click on a link that is still sliding can be lost
            expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        click_and_wait(page, page.locator("#mainnav").get_by_role("link", name=name, exact=True))

    return follow


# --------------------------------------------------------------------------- data


@pytest.fixture
def scenario(live_server: Any) -> Scenario:
    """The small 晋州市 scenario, built afresh in the (flushed) transactional database."""
    return build_scenario()
