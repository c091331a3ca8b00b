"""Jobs whose worker was killed: given up after the heartbeat timeout, nothing half-written."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity
from spotcheck.imports import pipeline, services
from spotcheck.imports.choices import ImportStatus
from spotcheck.imports.models import ImportJob
from spotcheck.imports.services import (
    STALE_AFTER,
    STALE_MESSAGE,
    JobGivenUp,
    import_job_run,
    import_jobs_fail_stale,
)
from spotcheck.imports.tests.helpers import csv_bytes, entity_row
from spotcheck.testing.personas import Catalogue

SignIn = Callable[[str], Client]


def _job(user: User, rows: int = 3, **fields: Any) -> ImportJob:
    job = ImportJob.objects.create(
        kind="entities", original_name="名录.csv", created_by=user, **fields
    )
    job.file.save("imports/a.csv", ContentFile(csv_bytes([entity_row(n) for n in range(rows)])))
    return job


def _running(user: User, heartbeat_age: dt.timedelta) -> ImportJob:
    now = timezone.now()
    return _job(
        user,
        status=ImportStatus.RUNNING,
        started_at=now - heartbeat_age,
        heartbeat_at=now - heartbeat_age,
    )


def test_a_job_whose_worker_stopped_answering_is_shown_failed_with_the_reason(
    persona_client: SignIn, catalogue: Catalogue, dept_admin: User
) -> None:
    # given: running, last heartbeat longer ago than the timeout
    job = _running(dept_admin, STALE_AFTER + dt.timedelta(seconds=5))

    # when
    page = persona_client("dept_admin").get(reverse("directory:import_job_status", args=[job.pk]))

    # then
    job.refresh_from_db()
    assert (job.status, job.error_message) == (ImportStatus.FAILED, STALE_MESSAGE)
    html = page.content.decode()
    assert "后台任务中断" in html
    assert "请重新导入该文件" in html
    assert 'data-testid="import-again"' in html
    assert Entity.objects.count() == 4


def test_a_running_job_with_a_recent_heartbeat_is_left_running(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    job = _running(dept_admin, STALE_AFTER - dt.timedelta(seconds=30))

    # when
    failed = import_jobs_fail_stale()

    # then
    job.refresh_from_db()
    assert failed == []
    assert (job.status, job.error_message) == (ImportStatus.RUNNING, "")


def test_the_task_of_a_job_given_up_runs_again_without_effect(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given: the queue delivers the task of an interrupted job once more
    job = _running(dept_admin, STALE_AFTER + dt.timedelta(minutes=1))

    # when
    outcome = import_job_run(job_id=job.pk)
    again = import_job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert (outcome, again) == ("skipped", "skipped")
    assert job.status == ImportStatus.FAILED
    assert Entity.objects.count() == 4
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()


def test_a_job_given_up_while_it_was_checking_writes_nothing(
    catalogue: Catalogue, dept_admin: User, monkeypatch: Any
) -> None:
    # given: while the worker checks, the job is taken for interrupted (a long stall)
    job = _job(dept_admin)
    real_writer = services._progress_writer

    def stalling_writer(job_id: int, *beat: Any) -> Any:
        write = real_writer(job_id, *beat)

        def progress(done: int, total: int, phase: str) -> None:
            write(done, total, phase)
            if phase.startswith("正在核对"):
                later = timezone.now() + STALE_AFTER + dt.timedelta(minutes=1)
                assert import_jobs_fail_stale(now=later) == [job_id]

        return progress

    monkeypatch.setattr(services, "_progress_writer", stalling_writer)

    # when
    with pytest.raises(JobGivenUp):
        import_job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert (job.status, job.error_message) == (ImportStatus.FAILED, STALE_MESSAGE)
    assert Entity.objects.count() == 4
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()


def _run_in_child(job_id: int) -> None:
    import_job_run(job_id=job_id)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second process needs a shared database"
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_no_rows_and_its_job_is_given_up(
    catalogue: Catalogue, dept_admin: User, settings: Any, monkeypatch: Any
) -> None:
    # given: a real worker process importing 40,000 rows
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 1 << 40)  # no grandchildren
    job = _job(dept_admin, rows=40_000)
    connections.close_all()  # the worker opens its own connection
    worker = multiprocessing.get_context("fork").Process(target=_run_in_child, args=(job.pk,))
    worker.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.rows_done > 0 or job.phase.startswith("正在核对"):
            break
        time.sleep(0.02)
    assert job.status == ImportStatus.RUNNING

    # when: the worker is killed mid-import
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()

    # then: nothing of the file is in the directory, and the job is given up once its
    # heartbeat is older than the timeout (once PostgreSQL has rolled the import back)
    assert Entity.objects.count() == 4
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    later = timezone.now() + STALE_AFTER + dt.timedelta(seconds=1)
    failed: list[int] = []
    while not failed and time.monotonic() < deadline:
        failed = import_jobs_fail_stale(now=later)
        time.sleep(0.2)
    job.refresh_from_db()
    assert failed == [job.pk]
    assert (job.status, job.error_message) == (ImportStatus.FAILED, STALE_MESSAGE)
    assert import_job_run(job_id=job.pk) == "skipped"
    assert Entity.objects.count() == 4
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()
