"""Import job pages in a browser: an interrupted background job says so and offers a retry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import Scenario


def test_an_interrupted_import_job_shows_why_and_offers_to_import_again(
    page: Page, scenario: Scenario, signed_in: Callable[..., None], shot: Callable[[str], None]
) -> None:
    # given: a job left running by a worker that stopped answering 3 minutes ago
    from spotcheck.imports.choices import ImportStatus
    from spotcheck.imports.models import ImportJob

    long_ago = timezone.now() - dt.timedelta(minutes=3)
    job = ImportJob.objects.create(
        kind="entities",
        original_name="晋州市检查对象.csv",
        file="imports/gone.csv",
        created_by=scenario.users["scj_admin"],
        status=ImportStatus.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )

    # when
    signed_in("scj_admin", start=f"/directory/import/{job.pk}/")

    # then
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("import-error")).to_contain_text("后台任务中断")
    expect(page.get_by_test_id("import-error")).to_contain_text("名录库没有写入任何数据")
    expect(page.get_by_test_id("import-error")).not_to_contain_text("告知平台管理员")
    again = page.get_by_test_id("import-again")
    expect(again).to_be_visible()
    expect(again).to_have_attribute("href", re.compile(r"/directory/import/\?kind=entities$"))
    shot("interrupted")
