"""Redis restarts while publications queue: its queue is gone, the outbox is not.

A Redis of the test's own (``redis-server`` on a free port, keeping nothing on disk, as the
deployment's Redis may) carries the RQ task backend. Records are approved and published;
their delivery jobs wait in Redis. Redis is then killed and started again, empty: the
queued jobs are lost with it. Nothing is lost for the platform: each outbox message's
state lives in the database, so ``manage.py outbox_deliver`` (run hourly) sends every
message once, and publishing goes on normally on the restarted Redis.
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from spotcheck.accounts.models import User
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.choices import LOST_MESSAGE, ImportStatus
from spotcheck.imports.models import ImportJob
from spotcheck.imports.tests.helpers import csv_bytes, entity_row
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.models import OutboxMessage
from spotcheck.publicity.tests.receiver import Receiver, running
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions, make_user
from tests.operations.redis_helpers import UPLOAD
from tests.operations.redis_helpers import publish_one as _publish_one

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A redis-server of the test's own that can be killed and started again."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with Redis("127.0.0.1", self.port, socket_timeout=1) as client:
                    if client.ping():
                        return
            except (OSError, RedisError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> int:
        with Redis("127.0.0.1", self.port) as client:
            return len(Queue("default", connection=client))


@pytest.fixture
def private_redis(settings: Any, tmp_path: Path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {
        "default": {"URL": f"redis://127.0.0.1:{server.port}/0", "DEFAULT_TIMEOUT": 3600}
    }
    settings.GSXT_OUTBOX_TIMEOUT = 2
    try:
        yield server
    finally:
        server.kill()


@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_loses_the_queued_jobs_but_no_publication_is_lost_or_sent_twice(
    private_redis: PrivateRedis,
    settings: Any,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
) -> None:
    inspectors = [inspector_record, other_inspector_record]
    with running(Receiver([])) as receiver:
        settings.GSXT_OUTBOX_URL = receiver.url
        # given: two records published; their four delivery jobs wait in Redis
        before = [
            p
            for n in (1, 2)
            for p in _publish_one(
                n, departments, regions, lead_admin, catalogue, inspectors, inspector_user
            )
        ]
        queued_before = private_redis.queued()

        # when: Redis is killed and started again, empty
        private_redis.kill()
        private_redis.start()
        queued_after_restart = private_redis.queued()
        # and: publishing goes on on the restarted Redis
        after = _publish_one(
            3, departments, regions, lead_admin, catalogue, inspectors, inspector_user
        )
        queued_later = private_redis.queued()
        pending = OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
        # and: the hourly sweep runs, twice
        out, again = io.StringIO(), io.StringIO()
        call_command("outbox_deliver", stdout=out)
        call_command("outbox_deliver", stdout=again)

    # then: the queue went with Redis, the outbox did not
    assert (len(before), len(after)) == (4, 2)
    assert (queued_before, queued_after_restart, queued_later, pending) == (4, 0, 2, 6)
    # and: every message was sent exactly once
    assert out.getvalue().strip() == "送达 6，待重试 0，发送失败 0，跳过 0。"
    assert again.getvalue().strip() == "送达 0，待重试 0，发送失败 0，跳过 0。"
    keys = sorted(m.idempotency_key for m in OutboxMessage.objects.all())
    assert sorted(receiver.requests) == keys
    assert set(receiver.accepted.values()) == {1}
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


@pytest.mark.django_db(transaction=True)
def test_an_import_queued_when_redis_restarts_empty_is_shown_lost_and_can_be_imported_again(
    private_redis: PrivateRedis, catalogue: Catalogue, departments: Departments
) -> None:
    # given: a department admin's file waits in the queue (no worker has taken it)
    admin = make_user("dept_admin", departments)
    client = Client()
    client.force_login(admin, backend=LOGIN_BACKEND)
    data = csv_bytes([entity_row(1)])
    upload = client.post(UPLOAD, {"kind": "entities", "file": SimpleUploadedFile("名录.csv", data)})
    job = ImportJob.objects.get()
    waiting = client.get(upload["Location"]).content.decode()

    # when: Redis is killed and started again, empty, and the job's page is shown
    private_redis.kill()
    private_redis.start()
    page = client.get(upload["Location"]).content.decode()

    # then: the job says its task was lost, nothing was written, and it can be re-imported
    job.refresh_from_db()
    assert job.task_result_id
    assert "排队" in waiting
    assert (job.status, job.error_message) == (ImportStatus.FAILED, LOST_MESSAGE)
    assert LOST_MESSAGE in page
    assert "重新导入" in page
    assert not Entity.objects.filter(uscc=make_uscc(5001)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_is_left_alone_while_the_queue_cannot_be_asked(
    private_redis: PrivateRedis, catalogue: Catalogue, departments: Departments
) -> None:
    # given: a queued job; then Redis stops (not restarted)
    admin = make_user("dept_admin", departments)
    client = Client()
    client.force_login(admin, backend=LOGIN_BACKEND)
    upload = client.post(
        UPLOAD,
        {"kind": "entities", "file": SimpleUploadedFile("名录.csv", csv_bytes([entity_row(1)]))},
    )
    private_redis.kill()

    # when
    response = client.get(upload["Location"])

    # then: the queue could not tell, so the job still waits
    assert response.status_code == 200
    assert ImportJob.objects.get().status == ImportStatus.QUEUED
