"""Every page a user can reach by clicking speaks plain Chinese.

On the demo (the seed scenario and the practice field work), each role starts at the home
page and follows the links it is shown, breadth first, the way a newcomer explores. On
every page: no technical page, no internal identifier (``campaigns.task.transitioned``,
``accounts.department``), no raw ISO time, no English word outside the few names that
are the product's own vocabulary (PDF, Excel, drand …), no login name on public pages.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import VIEWPORTS, click_and_wait

pytestmark = pytest.mark.browser
PASSWORD = "spotcheck-demo-2026"
PAGES_PER_ROLE = 45

# words that are names, formats or standards, not English prose
ALLOWED_WORDS = {
    "pdf", "excel", "csv", "xlsx", "json", "utf", "gbk", "ansi", "wps", "api", "openapi",
    "redoc", "swagger", "drand", "quicknet", "default", "python", "sha", "sm3", "totp",
    "https", "http", "url", "uscc", "draw", "bundle", "verify_draw", "zip", "tsv", "bls",
    "merkle", "root", "seed", "tools", "ios", "android", "app", "wifi", "gb18030", "samr",
    "iso", "rfc", "bootstrap", "echarts", "noto", "cjk", "ca", "spotcheck",
}  # fmt: skip
WORD = re.compile(r"(?<![\w./-])[A-Za-z][A-Za-z_]{3,}(?![\w])")
IDENTIFIER = re.compile(
    r"\b[a-z]+_?[a-z]*\.[a-z_]+(\.[a-z_]+)*\b(?<!\.py)(?<!\.json)(?<!\.tsv)(?<!\.zip)"
    r"(?<!\.pdf)(?<!\.csv)(?<!\.xlsx)"
)
# the visible text without code samples (the open-data page documents its JSON fields)
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("code, pre, kbd, samp, script, style, template").forEach(e => e.remove());
  return body.innerText;
}"""
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
TECHNICAL = ("Traceback", "Page not found", "Using the URLconf", "Bad Request", "Server Error")
SKIP = re.compile(
    r"/logout|/admin/|/api/|/download|/export|\.pdf|\.csv|\.xlsx|\.zip|/bundle|/photo|"
    r"/signature|/media/|/static/|/sw\.js|/manifest|export=|format="
)
ROLES = ["", "lead", "scj_admin", "gaj_admin", "scj_inspector", "auditor", "admin"]
LOGINS = (
    "lead", "scj_admin", "gaj_admin", "sjz_scj_admin", "zfb_inspector", "scj_inspector",
    "scj_inspector2", "gaj_inspector", "auditor",
)  # fmt: skip


def _load_demo() -> None:
    from django.apps import apps

    from spotcheck.catalogue.models import ResultCode
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.demo.field import load_field_demo
    from spotcheck.demo.scenario import load_demo

    if not ResultCode.objects.exists():
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    calendar_load_bundled(actor=None)
    load_demo(today=dt.date(2026, 3, 2))
    load_field_demo(today=dt.date(2026, 3, 2))


def _findings(text: str, *, public: bool) -> list[str]:
    found = []
    found += [f"技术页面：{t}" for t in TECHNICAL if t in text]
    found += [f"内部标识：{m[0]}" for m in IDENTIFIER.finditer(text)]
    found += [f"ISO时间：{m[0]}" for m in ISO_TIME.finditer(text)]
    words = {m[0] for m in WORD.finditer(text)}
    # a login name is data on the staff pages (账号管理), never on the public ones
    allowed = ALLOWED_WORDS if public else ALLOWED_WORDS | set(LOGINS) | {"admin"}
    found += [f"英文：{w}" for w in sorted(words) if w.lower() not in allowed]
    if public:
        found += [f"登录名：{name}" for name in LOGINS if re.search(rf"\b{name}\b", text)]
    return found


def _crawl(browser: Browser, live_server: Any, role: str, viewport: str) -> dict[str, list[str]]:
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    try:
        page.goto("/")
        if role:
            page.goto("/accounts/login/")
            page.get_by_label("用户名").fill(role)
            page.get_by_label("密码").fill(PASSWORD)
            click_and_wait(page, page.get_by_role("button", name="登录"))
        start = urlsplit(page.url).path
        queue: deque[str] = deque([start, "/"])
        seen: set[str] = set()
        while queue and len(seen) < PAGES_PER_ROLE:
            path = queue.popleft()
            if path in seen or SKIP.search(path):
                continue
            seen.add(path)
            try:
                response = page.goto(path)
            except PlaywrightError as exc:  # a link that downloads a file
                if "Download is starting" in str(exc):
                    continue
                raise
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            if response.status >= 400:
                problems[path] = [f"链接打开失败：HTTP {response.status}"]
                continue
            text = page.evaluate(VISIBLE_TEXT)
            public = urlsplit(page.url).path.startswith("/public/") or not role
            if found := _findings(text, public=public):
                problems[path] = found
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                url = urlsplit(urldefrag(href)[0])
                if url.netloc == urlsplit(live_server.url).netloc:
                    target = url.path + (f"?{url.query}" if url.query else "")
                    if target not in seen:
                        queue.append(target)
    finally:
        context.close()
    return problems


@pytest.mark.parametrize(
    ("viewport", "roles"),
    [("desktop", ROLES), ("phone", ["", "scj_inspector", "scj_admin"])],
    indirect=["viewport"],
)
def test_every_page_each_role_reaches_speaks_plain_chinese(
    browser: Browser, live_server: Any, viewport: str, roles: list[str]
) -> None:
    # given
    _load_demo()

    # when
    problems = {}
    for role in roles:
        for path, found in _crawl(browser, live_server, role, viewport).items():
            problems[f"{role or '公众'} {path}"] = found

    # then
    report = "\n".join(f"{page}: {'；'.join(found)}" for page, found in sorted(problems.items()))
    assert not problems, report
