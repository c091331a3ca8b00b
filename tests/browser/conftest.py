"""Fixtures of the browser tests: one Chromium per session, a fresh context per test.

The pages are served by pytest-django's ``live_server``; it needs the transactional
database, which is flushed after every test, so each test builds the small 晋州市
scenario below (3 departments, 30 entities, 8 inspectors, one user per role) again.
That takes a fraction of a second on SQLite and on PostgreSQL, far less than the demo.

Screenshots of every test go to ``var/screenshots/<test>-<viewport>.png``.

Every page any test opens (also in contexts a test makes itself) is checked by axe-core
for serious and critical WCAG 2.1 AA violations (``tests/browser/axe.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop in the main thread; Django would otherwise
# refuse every ORM call made by the test itself ("SynchronousOnlyOperation").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser.axe import AxeAudit  # noqa: E402

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


def click_and_wait(page: Page, target: Locator) -> None:
    """Click something that loads a new page, and return once that page has loaded.

    Waiting on the navigation event is much faster than letting ``expect`` poll.
    """
    with page.expect_navigation():
        target.click()


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
    from django.conf import settings
    from django.test import Client

    from spotcheck.accounts.models import User

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


# --------------------------------------------------------------------------- data


_BRANDS = ["恒丰", "润泽", "聚信", "鼎盛", "安泰", "宏远", "德润", "汇通", "金诚", "瑞祥"]
_TRADES = ["商贸", "食品", "餐饮"]
LONG_NAME = "晋州市东卓宿镇恒丰润泽聚信鼎盛安泰宏远农业科技发展有限责任公司第一分公司（演示）"


@dataclass
class Scenario:
    """The rows a test may need, by role."""

    today: dt.date
    departments: dict[str, Any]  # "lead", "scj", "gaj"
    users: dict[str, Any]  # "admin", "lead", "scj_admin", "gaj_admin", "scj_inspector", ...
    entities: list[Any]
    scj_only: Any  # supervised by 市场监管局 alone: 公安局 must not see it
    shared_gaj: Any  # supervised by 公安局 and 市场监管局
    inspectors: dict[str, Any]  # by name
    own_inspector: Any  # the record of the scj_inspector user
    expired_inspector: Any  # 市场监管局, 执法证 expired 30 days ago


def _uscc(n: int) -> str:
    from spotcheck.core.uscc import build_uscc

    return build_uscc("9", "1", JINZHOU, f"{n:08d}")


def _entity_departments(index: int, deps: dict[str, Any]) -> list[Any]:
    slot = index % 10
    if slot < 6:
        return [deps["scj"]]
    if slot < 8:
        return [deps["gaj"], deps["scj"]]
    if slot == 8:
        return [deps["lead"], deps["scj"]]
    return [deps["gaj"]]


def build_scenario() -> Scenario:
    """30 entities, 8 inspectors and one user per role in 晋州市 (valid GB 32100 codes).

    Entity ``i`` is named after brand ``i % 10`` and trade ``i // 10``, has risk class
    ``"ABCD"[i % 4]`` (the last one none) and is supervised by 市场监管局 unless
    ``i % 10 == 9`` (公安局 only); ``i % 10`` in 6, 7 adds 公安局, 8 adds 政府办.
    """
    from django.utils import timezone

    from spotcheck.accounts.choices import RegionLevel, Role
    from spotcheck.accounts.models import Region
    from spotcheck.accounts.services import department_create, user_create
    from spotcheck.directory.choices import (
        EntityType,
        Gender,
        InspectorCategory,
        InspectorStatus,
        RiskSource,
    )
    from spotcheck.directory.models import Entity, Inspector, Speciality, Tag
    from spotcheck.directory.services import entity_bulk_create, inspector_bulk_create

    today = timezone.localdate()
    province = Region.objects.create(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(
        code="130100", name="石家庄市", level=RegionLevel.CITY, parent=province
    )
    county = Region.objects.create(
        code=JINZHOU, name="晋州市", level=RegionLevel.COUNTY, parent=city
    )
    deps = {
        key: department_create(actor=None, name=name, short_name=short, region=county)
        for key, name, short in (
            ("lead", LEAD, "晋州市政府办"),
            ("scj", SCJ, "晋州市市场监管局"),
            ("gaj", GAJ, "晋州市公安局"),
        )
    }
    food = Tag.objects.create(code="food-business", name="食品经营", department=deps["scj"])
    Tag.objects.create(code="security-service", name="保安服务公司", department=deps["gaj"])
    specs = {
        code: Speciality.objects.create(code=code, name=name)
        for code, name in (("registration", "登记注册"), ("security-service", "保安服务监管"))
    }

    rows = []
    for i in range(30):
        risk = "" if i == 29 else "ABCD"[i % 4]
        trade = _TRADES[i // 10]
        legacy = i == 28  # an old entity known by its 15-digit 注册号 only
        entity = Entity(
            uscc=None if legacy else _uscc(i + 1),
            reg_no=f"{JINZHOU}600{i:06d}" if legacy else "",
            name=LONG_NAME if i == 5 else f"晋州市{_BRANDS[i % 10]}{trade}有限公司（演示）",
            entity_type=EntityType.ENTERPRISE,
            enterprise_type_code="1120",
            legal_rep_name="张三丰",
            legal_rep_id_masked=f"1301**********{1000 + i}",
            address=f"河北省晋州市晋州镇演示大街{i + 1}号",
            region=county,
            reg_authority_code=JINZHOU,
            reg_authority_name=SCJ,
            industry_code="F5212",
            reg_capital=Decimal(100 * (i + 1)),
            established_on=dt.date(2010, 1 + i % 12, 1),
            risk_class=risk,
            risk_source=RiskSource.SAMR_GENERAL if risk else "",
            risk_as_of=dt.date(2026, 1, 31) if risk else None,
        )
        rows.append((entity, _entity_departments(i, deps), [food] if trade != "商贸" else []))
    entity_bulk_create(actor=None, rows=rows)
    entities = [entity for entity, _, _ in rows]

    valid = (today - dt.timedelta(days=2 * 365), today + dt.timedelta(days=3 * 365))
    expired = (today - dt.timedelta(days=6 * 365), today - dt.timedelta(days=30))
    # (name, department, certificate validity, status, expert)
    people = [
        ("张明", "scj", valid, InspectorStatus.ON_DUTY, False),
        ("李强", "scj", valid, InspectorStatus.ON_DUTY, False),
        ("王芳", "scj", expired, InspectorStatus.ON_DUTY, False),
        ("赵敏", "scj", valid, InspectorStatus.LEAVE, True),
        ("刘洋", "gaj", valid, InspectorStatus.ON_DUTY, False),
        ("陈静", "gaj", valid, InspectorStatus.ON_DUTY, False),
        ("杨帆", "lead", valid, InspectorStatus.ON_DUTY, False),
        ("黄磊", "lead", valid, InspectorStatus.ON_DUTY, False),
    ]
    inspector_rows = []
    for n, (name, dep, (valid_from, valid_until), status, expert) in enumerate(people, start=1):
        inspector = Inspector(
            name=name,
            gender=Gender.MALE if n % 2 else Gender.FEMALE,
            id_masked=f"1301**********{2000 + n}",
            phone=f"1390311{1000 + n}",
            department=deps[dep],
            unit=f"{deps[dep].short_name}执法{n % 3 + 1}科",
            post="科员",
            category=InspectorCategory.CIVIL_SERVANT,
            certificate_no=f"1302018324{n:04d}",
            certificate_authority="河北省人民政府",
            certificate_valid_from=valid_from,
            certificate_valid_until=valid_until,
            status=status,
            is_expert=expert,
            expert_field="广告监管" if expert else "",
        )
        spec = specs["security-service" if dep == "gaj" else "registration"]
        inspector_rows.append((inspector, [spec], []))
    inspector_bulk_create(actor=None, rows=inspector_rows)
    inspectors = {inspector.name: inspector for inspector, _, _ in inspector_rows}

    users = {}
    for username, display, role, dep in (
        ("admin", "平台管理员", Role.PLATFORM_ADMIN, None),
        ("lead", "政府办管理员", Role.LEAD_ADMIN, "lead"),
        ("scj_admin", "市场监管局管理员", Role.DEPT_ADMIN, "scj"),
        ("gaj_admin", "公安局管理员", Role.DEPT_ADMIN, "gaj"),
        ("scj_inspector", "张明", Role.INSPECTOR, "scj"),
        ("auditor", "审计员", Role.AUDITOR, None),
    ):
        users[username] = user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            display_name=display,
            role=role,
            department=deps[dep] if dep else None,
        )
    own = inspectors["张明"]
    own.user = users["scj_inspector"]
    own.save(update_fields=["user"])

    return Scenario(
        today=today,
        departments=deps,
        users=users,
        entities=entities,
        scj_only=entities[0],
        shared_gaj=entities[6],
        inspectors=inspectors,
        own_inspector=own,
        expired_inspector=inspectors["王芳"],
    )


@pytest.fixture
def scenario(live_server: Any) -> Scenario:
    """The small 晋州市 scenario, built afresh in the (flushed) transactional database."""
    return build_scenario()
