"""A citizen reads a task's draw record: officials by name, local time, ratios in per cent."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import published_task as _published_task

pytestmark = pytest.mark.browser


def test_the_public_draw_record_names_officials_and_shows_per_cent_and_local_time(
    page: Page, scenario: Scenario, viewport: str, shot: Callable[[str], None]
) -> None:
    from django.utils import timezone

    from spotcheck.core.draw import new_secret
    from spotcheck.draws.ceremony import (
        draw_announce,
        draw_commit,
        draw_prepare,
        draw_reveal,
        draw_run,
    )

    # given: the lead office and the 市场监管局 drew the task
    task = _published_task(scenario)
    lead, market = scenario.users["lead"], scenario.users["scj_admin"]
    attempt = draw_prepare(actor=lead, task=task, officials=[lead, market])
    secrets = {lead: new_secret(), market: new_secret()}
    for official, secret in secrets.items():
        draw_commit(actor=official, attempt=attempt, secret=secret)
    attempt = draw_announce(actor=lead, attempt=attempt)
    for official, secret in secrets.items():
        draw_reveal(actor=official, attempt=attempt, secret=secret)
    attempt = draw_run(actor=lead, attempt=attempt)

    # when
    page.goto(f"/public/tasks/{task.pk}/")

    # then
    local = timezone.localtime(attempt.announced_at).strftime("%Y-%m-%d %H:%M:%S")
    expect(page.get_by_test_id("announced-at-1")).to_have_text(local)
    expect(page.get_by_test_id("ratios-1")).to_have_text(
        "A类 10%，B类 10%，C类 10%，D类 10%，未分类 10%；总体不低于 3%"
    )
    officials = page.get_by_test_id("officials-1")
    expect(officials).to_contain_text("晋州市人民政府办公室 · 政府办管理员：承诺")
    expect(officials).to_contain_text("晋州市市场监督管理局 · 市场监管局管理员：承诺")
    main = page.locator("main").inner_text()
    assert not re.search(r"\b(lead|scj_admin)\b", main)
    assert "+08:00" not in main
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    shot("drawn")
