"""Import job pages in a browser: an interrupted background job says so and offers a retry;
a platform administrator fills an empty directory with one upload (a first load)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.scenario_setup import Scenario


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a first load is PostgreSQL only")
def test_a_platform_admin_fills_an_empty_directory_with_one_upload(
    page: Page,
    live_server: Any,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    settings: Any,
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    # given: regions, departments and tags but no entity yet; the job runs as soon as it is
    # queued, and a file of any size counts as big
    from spotcheck.directory.models import Entity
    from spotcheck.directory.tests.factories import TagFactory
    from spotcheck.imports import engine
    from spotcheck.imports.tests.helpers import ENTITY_HEADER, csv_bytes, entity_row
    from spotcheck.testing.personas import make_departments, make_regions, make_user

    make_user("platform_admin", make_departments(make_regions()))
    TagFactory(code="food-producer", name="食品生产企业")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(engine, "FIRST_LOAD_MIN_BYTES", 0)
    upload = tmp_path / "晋州市检查对象.csv"
    rows = [entity_row(n, 分类标签="食品生产企业" if n % 2 else "") for n in range(1, 301)]
    upload.write_bytes(csv_bytes(rows, header=ENTITY_HEADER))

    # when
    signed_in("admin", start="/directory/import/?kind=entities")
    page.get_by_label("文件").set_input_files(upload)
    page.get_by_test_id("import-submit").click()

    # then: applied in one go, and the page says how
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("import-summary")).to_contain_text("已导入：共 300 行，新增 300")
    expect(status).to_contain_text("名录库原为空：本次按首次导入边校验边写入")
    expect(page.get_by_test_id("count-created")).to_have_text("300")
    assert Entity.objects.filter(tags__name="食品生产企业").count() == 150
    shot("first-load")
