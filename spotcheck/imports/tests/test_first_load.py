"""A big file into an empty directory is written while it is read (PostgreSQL).

What it writes must be exactly what the usual import writes; a wrong row or a code seen
twice makes it give up, leave nothing, and let the usual import report them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction

from spotcheck.accounts.choices import RegionLevel
from spotcheck.accounts.models import User
from spotcheck.accounts.tests.factories import RegionFactory
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity, EntityRiskHistory
from spotcheck.directory.tests.factories import TagFactory, make_uscc
from spotcheck.imports import engine, pipeline, services
from spotcheck.imports import staging as staging_module
from spotcheck.imports.choices import ImportStatus
from spotcheck.imports.models import ImportJob
from spotcheck.imports.staging import FirstLoad
from spotcheck.imports.tests.helpers import ENTITY_HEADER, csv_bytes, entity_row, run
from spotcheck.testing.personas import Catalogue, Departments, Regions

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a first load is PostgreSQL only"
)

ROWS = 260
STARTED = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def empty_directory(regions: Regions, departments: Departments) -> None:
    """Regions, departments and tags, and no entity yet."""
    TagFactory(code="food-producer", name="食品生产企业")
    TagFactory(code="security-service", name="保安服务公司")
    RegionFactory(code="130181", name="辛集市", level=RegionLevel.COUNTY, parent=regions.city)


@pytest.fixture
def small_batches(monkeypatch: Any) -> list[int]:
    """Any CSV file counts as big; batches of 40 rows, pieces of a few rows; returns the
    sizes of the batches a first load wrote."""
    monkeypatch.setattr(engine, "FIRST_LOAD_MIN_BYTES", 0)
    monkeypatch.setattr(FirstLoad, "BATCH_ROWS", 40)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 2_000)
    written: list[int] = []
    real = staging_module.Staging.write_batch

    def spy(self: Any, **kwargs: Any) -> int:
        count = real(self, **kwargs)
        written.append(count)
        return count

    monkeypatch.setattr(staging_module.Staging, "write_batch", spy)
    return written


def _rows(**at: dict[str, str]) -> list[dict[str, str]]:
    """ROWS varied rows: tags, two departments, no risk class, a 注册号 only; ``at`` maps
    a row number (as text) to overrides."""
    rows = []
    for n in range(1, ROWS + 1):
        row = entity_row(n)
        if n % 3 == 0:
            row["分类标签"] = "食品生产企业；保安服务公司"
        if n % 4 == 0:
            row["监管部门"] = "晋州市市场监督管理局；晋州市公安局"
        if n % 5 == 0:
            row.update({"信用风险分类": "", "分类来源": "", "分类日期": ""})
        if n % 7 == 0:
            row.update({"统一社会信用代码": "", "注册号": f"1301830000{n:05d}"})
        if n % 11 == 0:
            row["行政区划代码"] = "130181"
        row.update(at.get(str(n), {}))
        rows.append(row)
    return rows


def _directory() -> list[tuple[Any, ...]]:
    """Everything an import writes, without ids and times."""
    found = []
    for entity in Entity.objects.order_by("name").prefetch_related(
        "supervising_departments", "tags", "risk_history"
    ):
        found.append(
            (
                entity.uscc,
                entity.reg_no,
                entity.name,
                entity.region_id,
                entity.risk_class,
                entity.risk_source,
                entity.risk_as_of,
                entity.established_on,
                sorted(d.name for d in entity.supervising_departments.all()),
                sorted(t.name for t in entity.tags.all()),
                [(h.old_class, h.new_class, h.source, h.as_of) for h in entity.risk_history.all()],
            )
        )
    return found


def _indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'directory_entity%%'"
            " ORDER BY indexname"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("superuser", [True, False])
def test_a_first_load_writes_what_the_usual_import_writes(
    empty_directory: None,
    small_batches: list[int],
    platform_admin: User,
    monkeypatch: Any,
    superuser: bool,
) -> None:
    # given: the file imported the usual way, what it wrote kept, and the directory
    # emptied again; by a role that may, or may not, switch the foreign-key triggers off
    if not superuser:
        monkeypatch.setattr(
            staging_module._BulkWrites, "_may_switch_off_triggers", lambda self: False
        )
    data = csv_bytes(_rows(), header=ENTITY_HEADER)
    indexes = _indexes()
    with monkeypatch.context() as usual:
        usual.setattr(engine, "FIRST_LOAD_MIN_BYTES", 1 << 40)
        expected_report, expected_errors = run("entities", data, actor=platform_admin)
    expected = _directory()
    assert small_batches == []
    EntityRiskHistory.objects.all().delete()
    Entity.objects.all().delete()

    # when: it is imported into the empty directory
    report, errors = run("entities", data, actor=platform_admin)

    # then: written batch by batch, and the same records, links and history as before
    assert len(small_batches) >= 5
    assert sum(small_batches) == ROWS
    assert (report.first_load, expected_report.first_load) == (True, False)
    assert "名录库原为空：本次按首次导入边校验边写入" in report.messages
    assert (report.created, report.updated, report.rejected) == (ROWS, 0, 0)
    assert report.summary() == expected_report.summary()
    assert report.risk_changes == expected_report.risk_changes == ROWS - ROWS // 5
    assert errors == expected_errors
    assert _directory() == expected
    assert _indexes() == indexes
    audits = AuditEvent.objects.filter(event_type="directory.import.applied").order_by("pk")
    assert [a.data["created"] for a in audits] == [ROWS, ROWS]
    # each batch took its own block of ids; a record added later gets an id past them
    later = Entity.objects.create(
        uscc=make_uscc(9999),
        name="之后新增的对象",
        region_id=expected[0][3],
        entity_type="enterprise",
    )
    assert later.pk > max(Entity.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@pytest.mark.parametrize("valid_only", [False, True])
def test_a_first_load_that_meets_a_wrong_row_gives_up_and_the_usual_import_reports_it(
    empty_directory: None,
    small_batches: list[int],
    platform_admin: User,
    valid_only: bool,
) -> None:
    # given: row 230 names a region that does not exist, after five batches were written
    data = csv_bytes(_rows(**{"230": {"行政区划代码": "999999"}}), header=ENTITY_HEADER)

    # when
    report, errors = run("entities", data, actor=platform_admin, valid_only=valid_only)

    # then: the first load had written and was rolled back; the usual import reported
    # the row and applied nothing, or only the valid rows
    assert len(small_batches) == 5
    assert not report.first_load
    assert report.rejected == 1
    assert [(e[0], e[1]) for e in errors] == [("231", "行政区划代码")]  # header is line 1
    assert Entity.objects.count() == (ROWS - 1 if valid_only else 0)
    assert EntityRiskHistory.objects.count() == (ROWS - 1 - (ROWS - 1) // 5 if valid_only else 0)
    applied = AuditEvent.objects.filter(event_type="directory.import.applied").count()
    assert applied == (1 if valid_only else 0)


@pytest.mark.parametrize(
    ("row", "repeated", "lines"),
    [
        # the unique index on the code meets it while the batch is written
        ("250", {"统一社会信用代码": make_uscc(5002)}, ["251", "3"]),
        # only the check at the end sees a 注册号 twice (row 252 has no code either)
        ("252", {"注册号": "130183000000007"}, ["253", "8"]),
    ],
)
def test_a_first_load_that_finds_a_code_twice_gives_up_and_the_usual_import_reports_it(
    empty_directory: None,
    small_batches: list[int],
    platform_admin: User,
    row: str,
    repeated: dict[str, str],
    lines: list[str],
) -> None:
    # given: a row in the last batch repeats the code of an early one
    data = csv_bytes(_rows(**{row: repeated}), header=ENTITY_HEADER)

    # when
    report, errors = run("entities", data, actor=platform_admin)

    # then: the batches before it had been written; nothing is left of them
    assert sum(small_batches) >= 200
    assert report.refused
    assert sorted(e[0] for e in errors) == lines
    assert all("重复" in e[3] for e in errors)
    assert Entity.objects.count() == 0
    assert EntityRiskHistory.objects.count() == 0


def test_a_directory_filled_meanwhile_is_imported_the_usual_way(
    catalogue: Catalogue, small_batches: list[int], platform_admin: User, monkeypatch: Any
) -> None:
    # given: the directory looked empty when the import started, then was filled
    monkeypatch.setattr(engine, "_first_load_fits", lambda *args: True)
    data = csv_bytes(_rows(), header=ENTITY_HEADER)

    # when
    report, errors = run("entities", data, actor=platform_admin)

    # then: the first load gave up at once under its lock; the usual import added the rows
    assert small_batches == []
    assert (report.created, report.rejected, errors) == (ROWS, 0, [])
    assert Entity.objects.count() == ROWS + 4


def test_a_department_admin_or_a_dry_run_never_takes_the_first_load(
    empty_directory: None, small_batches: list[int], dept_admin: User
) -> None:
    data = csv_bytes(_rows(), header=ENTITY_HEADER)

    dry, _ = run("entities", data, actor=dept_admin, dry_run=True)
    report, _ = run("entities", data, actor=dept_admin)

    # (the rows of 晋州市公安局 are out of this admin's scope)
    assert small_batches == []
    assert dry.created == report.created == ROWS - ROWS // 4


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_writing_transaction_is_written_on_the_heartbeat_connection(
    platform_admin: User,
) -> None:
    # given: a running job, and the import's progress writer inside its transaction
    job = ImportJob.objects.create(
        kind="entities",
        original_name="名录.csv",
        created_by=platform_admin,
        status=ImportStatus.RUNNING,
        heartbeat_at=STARTED,
    )
    seen: list[tuple[int, str]] = []

    def watch() -> None:  # another connection, as the job page would read it
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not seen:
                row = ImportJob.objects.values_list("rows_done", "phase").get(pk=job.pk)
                if row[0]:
                    seen.append(row)
                time.sleep(0.02)
        finally:
            connections.close_all()

    # when
    with services._Heartbeat(job.pk) as beat:
        write = services._progress_writer(job.pk, beat)
        with transaction.atomic():
            write(25_000, 1_000_000, "正在校验并写入名录库")
            watcher = threading.Thread(target=watch)
            watcher.start()
            watcher.join()

    # then: seen while the transaction was still open
    assert seen == [(25_000, "正在校验并写入名录库")]
    job.refresh_from_db()
    assert job.heartbeat_at is not None
    assert job.heartbeat_at > STARTED


@pytest.mark.django_db(transaction=True)
def test_a_background_job_takes_the_first_load_and_says_what_it_wrote(
    empty_directory: None, small_batches: list[int], platform_admin: User, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    job = ImportJob.objects.create(
        kind="entities", original_name="名录.csv", created_by=platform_admin
    )
    job.file.save("imports/a.csv", ContentFile(csv_bytes(_rows(), header=ENTITY_HEADER)))

    assert services.import_job_run(job_id=job.pk) == ImportStatus.SUCCEEDED

    job.refresh_from_db()
    assert sum(small_batches) == ROWS
    assert (job.created_count, job.rows_done, job.applied) == (ROWS, ROWS, True)
    assert job.messages[0].startswith(f"已导入：共 {ROWS} 行，新增 {ROWS}")
    assert Entity.objects.count() == ROWS
