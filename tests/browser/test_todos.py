"""The to-do list on the 工作台 of each demo role, at 1366 px and at 375 px.

On the demo (the seed task, still to be drawn, and the practice field work) with a few
steps put in place — a record sent for review, a late step of 公安局, a correction for
the auditor — each role opens its 工作台, sees its to-do list, and the first item opens
a page without error. The inspector signs in through the form and lands on 现场检查.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import click_and_wait, fits_phone

pytestmark = pytest.mark.browser
PASSWORD = "spotcheck-demo-2026"
ROLES = ["lead", "admin", "scj_admin", "gaj_admin", "scj_inspector", "auditor"]
WIDTHS = {"desktop": 1366, "phone": 375}


@pytest.fixture
def context(browser: Browser, live_server: Any, viewport: str) -> Iterator[BrowserContext]:
    """The suite's context, at the 1366 px of a common office screen on the desktop."""
    phone = viewport == "phone"
    ctx = browser.new_context(
        base_url=live_server.url,
        viewport={"width": WIDTHS[viewport], "height": 812 if phone else 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
    )
    ctx.set_default_timeout(30_000)
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    yield ctx
    ctx.close()


def _demo_with_steps_waiting() -> None:
    # imported here: Django is set up by pytest-django only once the test runs
    from django.apps import apps
    from django.db import transaction
    from django.utils import timezone

    from spotcheck.accounts.models import Department, User
    from spotcheck.audit import events
    from spotcheck.audit.services import audit_record
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
    from spotcheck.deadlines.models import Deadline
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.demo.field import load_field_demo
    from spotcheck.demo.scenario import GAJ, load_demo
    from spotcheck.inspections.choices import RecordState
    from spotcheck.inspections.models import JointRecord

    if not ResultCode.objects.exists():
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    today = timezone.localdate()
    calendar_load_bundled(actor=None)
    load_demo(today=today)
    first, *_ = load_field_demo(today=today)
    # the first practice record is signed and sent for review
    JointRecord.objects.filter(pk=first.pk).update(
        state=RecordState.SUBMITTED, review_round=1, signed_at=timezone.now()
    )
    task = first.task
    Deadline.objects.create(
        kind=DeadlineKind.OTHER,
        title=f"{task.number}：报送检查人员名单",
        department=Department.objects.get(name=GAJ),
        target_type="campaigns.task",
        target_id=str(task.pk),
        target_url=f"/tasks/{task.pk}/",
        start_event="测试",
        start_date=today - dt.timedelta(days=10),
        working_days=2,
        due_date=today - dt.timedelta(days=7),
        state=DeadlineState.OVERDUE,
    )
    with transaction.atomic():
        audit_record(
            actor=User.objects.get(username="scj_inspector"),
            event_type=events.RECORD_CORRECTED,
            target=first,
            data={"reason": "更正笔误"},
        )


def _sign_in_through_the_form(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="登录"))


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_each_role_sees_its_to_do_list_and_opens_the_first_item(
    page: Page,
    context: BrowserContext,
    viewport: str,
    live_server: Any,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    _demo_with_steps_waiting()

    # the inspector lands on 现场检查 after signing in
    _sign_in_through_the_form(page, "scj_inspector")
    expect(page).to_have_url(re.compile(r"/field/$"))
    context.clear_cookies()

    for username in ROLES:
        signed_in(username)
        todos = page.get_by_test_id("todos")
        expect(todos.get_by_role("heading", name=re.compile("^待办事项"))).to_be_visible()
        links = todos.get_by_test_id("todo-link")
        expect(links.first).to_be_visible()
        assert page.get_by_test_id("todo-empty").count() == 0, username
        # the menu's count is the list's
        total = re.search(r"待办事项（(\d+)）", todos.inner_text())
        assert total, username
        if viewport == "phone":
            fits_phone(page)
            page.locator(".navbar-toggler").click()
        expect(page.get_by_test_id("todo-count")).to_contain_text(total.group(1))
        shot(f"{username}-home")

        with page.expect_navigation() as opened:
            links.first.click()
        response = opened.value
        assert response is not None, (username, page.url)
        assert response.status == 200, (username, page.url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        shot(f"{username}-first-item")
        context.clear_cookies()
