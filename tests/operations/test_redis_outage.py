"""Redis goes away while publications queue: nothing lost, and the work finishes afterwards.

The platform's background tasks run on the django-tasks RQ backend here (Redis db 8, or
8 + n on pytest-xdist worker n), reached through a cuttable TCP proxy: the machine's Redis
is shared and never stopped.

Publishing needs no answer from Redis before it commits: the publication and its outbox
message are written in the approval's transaction, the hand-over to the queue runs after
the commit, and a refused hand-over is logged, never raised, so the person approving sees
no error. The messages whose hand-over was lost are sent by ``manage.py outbox_deliver``
(the outbox's state lives in the database); those already queued are sent by a real RQ
worker; each arrives once. The one user-facing action that needs Redis during the
request is the directory import upload: its job is shown failed with a Chinese reason,
nothing is imported, and the same upload succeeds once Redis is back.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from redis import Redis

from spotcheck.accounts.models import User
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.choices import QUEUE_DOWN_MESSAGE, ImportStatus
from spotcheck.imports.models import ImportJob
from spotcheck.imports.tests.helpers import csv_bytes, entity_row
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.tests.receiver import Receiver, running
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions, make_user
from tests.operations.proxy import CuttableProxy
from tests.operations.redis_helpers import REDIS, REDIS_DB, UPLOAD
from tests.operations.redis_helpers import publish_one as _publish_one
from tests.operations.redis_helpers import queued_jobs as _queued_jobs
from tests.operations.redis_helpers import redis_reachable as _redis_reachable
from tests.operations.redis_helpers import run_rq_worker as _run_rq_worker


@pytest.fixture
def redis_through_proxy(settings: Any) -> Iterator[CuttableProxy]:
    """The RQ task backend on Redis db REDIS_DB, reached only through the proxy."""
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    direct = Redis(*REDIS, db=REDIS_DB)
    direct.flushdb()
    proxy = CuttableProxy(REDIS)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {
        "default": {
            "URL": f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
            "DEFAULT_TIMEOUT": 3600,
        }
    }
    settings.GSXT_OUTBOX_TIMEOUT = 2
    try:
        yield proxy
    finally:
        proxy.close()
        direct.flushdb()
        direct.close()


@pytest.mark.django_db(transaction=True)
def test_publications_made_while_redis_is_away_are_kept_and_each_delivered_once_on_its_return(
    redis_through_proxy: CuttableProxy,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
) -> None:
    proxy = redis_through_proxy
    inspectors = [inspector_record, other_inspector_record]
    with running(Receiver([])) as receiver:
        settings.GSXT_OUTBOX_URL = receiver.url
        # given: one record published while Redis answers (its two jobs wait in the queue)
        before = _publish_one(
            1, departments, regions, lead_admin, catalogue, inspectors, inspector_user
        )
        queued_before = _queued_jobs()

        # when: Redis goes away and three more records are approved and published
        proxy.cut()
        with caplog.at_level(logging.ERROR, logger="spotcheck.publicity.services"):
            during = [
                p
                for n in (2, 3, 4)
                for p in _publish_one(
                    n, departments, regions, lead_admin, catalogue, inspectors, inspector_user
                )
            ]
        queued_during = _queued_jobs()
        pending_during = OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
        sent_during = len(receiver.requests)

        # and: Redis comes back; the worker runs the queue and the sweep sends the rest
        proxy.restore()
        _run_rq_worker(proxy)
        after_worker = sorted(receiver.stored)
        out = io.StringIO()
        call_command("outbox_deliver", stdout=out)
        again = io.StringIO()
        call_command("outbox_deliver", stdout=again)

    # then: every publication committed, with its message pending, while Redis was away
    assert (len(before), len(during)) == (2, 6)
    assert ResultPublication.objects.filter(is_current=True).count() == 8
    assert (queued_before, queued_during, pending_during, sent_during) == (2, 2, 8, 0)
    lost = sorted(
        r.getMessage() for r in caplog.records if r.getMessage().startswith("could not enqueue")
    )
    assert lost == sorted(f"could not enqueue outbox message {p.outbox_message.pk}" for p in during)
    # and: the worker sent what was queued, the sweep what was not, each message once
    assert after_worker == sorted(p.outbox_message.idempotency_key for p in before)
    assert out.getvalue().strip() == "送达 6，待重试 0，发送失败 0，跳过 0。"
    assert again.getvalue().strip() == "送达 0，待重试 0，发送失败 0，跳过 0。"
    keys = sorted(m.idempotency_key for m in OutboxMessage.objects.all())
    assert len(keys) == 8
    assert sorted(receiver.stored) == keys
    assert sorted(receiver.requests) == keys
    assert set(receiver.accepted.values()) == {1}
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}
    assert _queued_jobs() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_uploaded_while_redis_is_away_is_shown_failed_with_a_chinese_reason(
    redis_through_proxy: CuttableProxy,
    catalogue: Catalogue,
    departments: Departments,
) -> None:
    proxy = redis_through_proxy
    admin = make_user("dept_admin", departments)
    client = Client()
    client.force_login(admin, backend=LOGIN_BACKEND)
    data = csv_bytes([entity_row(1)])  # given: a department admin's file of one entity

    # when: a department admin uploads a directory file while Redis is away
    proxy.cut()
    during = client.post(UPLOAD, {"kind": "entities", "file": SimpleUploadedFile("名录.csv", data)})
    failed = ImportJob.objects.get()
    page = client.get(during["Location"]).content.decode()
    written_during = Entity.objects.filter(uscc=make_uscc(5001)).exists()
    # and: uploads it again once Redis is back, and the worker runs
    proxy.restore()
    after = client.post(UPLOAD, {"kind": "entities", "file": SimpleUploadedFile("名录.csv", data)})
    _run_rq_worker(proxy)

    # then
    assert during.status_code == 302
    assert (failed.status, failed.error_message) == (ImportStatus.FAILED, QUEUE_DOWN_MESSAGE)
    assert QUEUE_DOWN_MESSAGE == (
        "后台任务队列暂时不可用，本次导入未开始，名录未作任何改动；请稍后重新上传文件。"
    )
    assert QUEUE_DOWN_MESSAGE in page
    assert written_during is False
    retried = ImportJob.objects.exclude(pk=failed.pk).get()
    assert after.status_code == 302
    assert retried.status == ImportStatus.SUCCEEDED
    assert list(Entity.objects.filter(uscc=make_uscc(5001)).values_list("name", flat=True)) == [
        "晋州市导入测试001有限公司"
    ]
