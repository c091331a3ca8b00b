"""Redis accepts the connection and then never answers: every request ends within the timeout.

A Redis that refuses connections fails fast (``test_redis_outage.py``); one that accepts
and then says nothing — a stuck server, a firewall that drops packets — would hold a web
request for as long as the client waits. Every Redis connection of the platform carries
``REDIS_CONNECT_TIMEOUT`` and ``REDIS_READ_TIMEOUT`` (``config/redis_urls.py``); here the
proxy in front of the machine's Redis swallows everything (``CuttableProxy.hang``) and the
timeouts are a few seconds, so each request must answer after about one read timeout:

- a directory upload: the import is shown failed with the Chinese reason, nothing imported;
- the approval that publishes two results: both publications and their outbox messages
  are committed, one hand-over is tried, not two, and ``outbox_deliver`` sends both later;
- the public results page on a Redis cache: served without the cache, and the next request
  does not wait again (the cache is left alone for a while after a failure).

An RQ worker on the same settings still idles longer than the read timeout: rq raises the
socket timeout of its connection above its own blocking wait for jobs.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import django_rq
import pytest
from django import db
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from redis import Redis
from rq import SimpleWorker

from config.redis_urls import with_timeouts
from spotcheck.accounts.models import User
from spotcheck.catalogue.tests.factories import ensure_result_codes
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.choices import QUEUE_DOWN_MESSAGE, ImportStatus
from spotcheck.imports.models import ImportJob
from spotcheck.imports.tests.helpers import csv_bytes, entity_row
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import build_field, entry, sid, signature
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.tests.receiver import Receiver, running
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions, make_user
from spotcheck.workflow.records import record_review
from tests.operations.proxy import CuttableProxy
from tests.operations.redis_helpers import REDIS, REDIS_DB
from tests.operations.redis_helpers import queued_jobs as _queued_jobs
from tests.operations.redis_helpers import redis_reachable as _redis_reachable
from tests.operations.redis_helpers import run_rq_worker as _run_rq_worker

# Seconds: REDIS_READ_TIMEOUT (and the connect timeout) of these tests. A request must end
# after one of them, not two: that leaves READ seconds for the request's own work on a
# busy machine. That the settings put the timeouts into the URLs is test_configuration's.
READ = 3
UPLOAD = reverse("directory:import_upload")
T = TypeVar("T")


def _timed(call: Callable[[], T], give_up: float = 60) -> tuple[T, float]:
    """Run ``call`` in a thread and time it; fail instead of waiting for ever."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)
        finally:
            db.connections.close_all()

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(give_up)
    took = time.monotonic() - started
    assert not thread.is_alive(), f"still waiting on Redis after {give_up} s"
    if failure:
        raise failure[0]
    return result[0], took


@pytest.fixture
def hanging_redis(settings: Any) -> Iterator[CuttableProxy]:
    """The RQ task backend on Redis db REDIS_DB through the proxy, with READ-second timeouts."""
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    direct = Redis(*REDIS, db=REDIS_DB)
    direct.flushdb()
    proxy = CuttableProxy(REDIS)
    url = with_timeouts(f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}", connect=READ, read=READ)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 3600}}
    settings.GSXT_OUTBOX_TIMEOUT = 2
    try:
        yield proxy
    finally:
        proxy.close()
        direct.flushdb()
        direct.close()


@pytest.mark.django_db(transaction=True)
def test_an_import_uploaded_while_redis_hangs_is_failed_in_chinese_within_the_timeout(
    hanging_redis: CuttableProxy, catalogue: Catalogue, departments: Departments
) -> None:
    proxy = hanging_redis
    admin = make_user("dept_admin", departments)
    client = Client()
    client.force_login(admin, backend=LOGIN_BACKEND)
    data = csv_bytes([entity_row(1)])  # given: a department admin's file of one entity

    def upload() -> Any:
        return client.post(
            UPLOAD, {"kind": "entities", "file": SimpleUploadedFile("名录.csv", data)}
        )

    # when: Redis accepts the connection and never answers while the file is uploaded
    proxy.hang()
    during, took = _timed(upload)
    failed = ImportJob.objects.get()
    page = client.get(during["Location"]).content.decode()
    written_during = Entity.objects.filter(uscc=make_uscc(5001)).exists()
    # and: uploads it again once Redis answers, and the worker runs
    proxy.restore()
    after, _ = _timed(upload)
    _run_rq_worker(proxy)

    # then: one read timeout, not forever and not several
    assert READ <= took < 2 * READ
    assert during.status_code == 302
    assert (failed.status, failed.error_message) == (ImportStatus.FAILED, QUEUE_DOWN_MESSAGE)
    assert QUEUE_DOWN_MESSAGE in page
    assert written_during is False
    retried = ImportJob.objects.exclude(pk=failed.pk).get()
    assert after.status_code == 302
    assert retried.status == ImportStatus.SUCCEEDED
    assert list(Entity.objects.filter(uscc=make_uscc(5001)).values_list("name", flat=True)) == [
        "晋州市导入测试001有限公司"
    ]


@pytest.mark.django_db(transaction=True)
def test_an_approval_that_publishes_while_redis_hangs_answers_within_the_timeout(
    hanging_redis: CuttableProxy,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given: a signed joint record of the market and the police; the market approved it
    proxy = hanging_redis
    calendar_load_bundled(actor=None)
    ensure_result_codes()
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    for row, by in ((field.market_item, inspector_user), (field.police_item, other_inspector_user)):
        record_entries_save(
            actor=by, record=field.record, submission_id=sid(), entries=[entry(row)]
        )
    record_sign(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in field.group.members.all()},
    )
    record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    police = Client()
    police.force_login(other_dept_admin, backend=LOGIN_BACKEND)
    url = reverse("inspections:field_review", args=[field.record.pk])

    with running(Receiver([])) as receiver:
        settings.GSXT_OUTBOX_URL = receiver.url
        # when: Redis hangs and the police's approval completes the record (two notices)
        proxy.hang()
        with caplog.at_level(logging.ERROR, logger="spotcheck.publicity.services"):
            response, took = _timed(
                lambda: police.post(url, {"decision": "approved", "confirmed": "1"})
            )
        queued_during = _queued_jobs()
        pending_during = OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
        # and: Redis answers again; the sweep sends what the queue never got
        proxy.restore()
        out = io.StringIO()
        call_command("outbox_deliver", stdout=out)

    # then: one hand-over tried, one read timeout; the approval and its publications stand
    assert READ <= took < 2 * READ
    assert response.status_code == 302
    assert JointRecord.objects.get(pk=field.record.pk).state == RecordState.APPROVED
    publications = ResultPublication.objects.filter(is_current=True)
    assert publications.count() == 2
    assert (queued_during, pending_during) == (0, 2)
    lost = sorted(
        r.getMessage() for r in caplog.records if r.getMessage().startswith("could not enqueue")
    )
    assert lost == sorted(
        f"could not enqueue outbox message {p.outbox_message.pk}" for p in publications
    )
    assert out.getvalue().strip() == "送达 2，待重试 0，发送失败 0，跳过 0。"
    assert sorted(receiver.stored) == sorted(p.outbox_message.idempotency_key for p in publications)


@pytest.mark.django_db(transaction=True)
def test_the_public_results_page_on_a_hanging_redis_cache_waits_once_then_not_at_all(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given: the cache (rate-limit counters, the page's filter lists) on a Redis that hangs
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    proxy = CuttableProxy(REDIS)
    proxy.hang()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": with_timeouts(
                f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}", connect=READ, read=READ
            ),
        }
    }
    settings.PUBLIC_RATE_LIMIT = 3
    visitor = Client()
    url = reverse("publicity:results")
    try:
        # when: a visitor opens the page several times
        with caplog.at_level(logging.WARNING):
            first, took_first = _timed(lambda: visitor.get(url))
            later = [_timed(lambda: visitor.get(url)) for _ in range(4)]
    finally:
        proxy.close()

    # then: the first request waited one read timeout, the others none; all were served
    assert READ <= took_first < 2 * READ
    assert max(took for _, took in later) < READ
    assert [first.status_code] + [r.status_code for r, _ in later] == [200] * 5
    assert "抽查结果" in first.content.decode()
    skipped = [
        r
        for r in caplog.records
        if r.getMessage() == "public rate limit skipped: cache unavailable"
    ]
    assert len(skipped) == 5


def test_an_rq_worker_on_these_timeouts_idles_longer_than_the_read_timeout(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given: the queue's connection with a 1-second read timeout, straight to Redis
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    from django_tasks_rq.backend import Job

    url = with_timeouts(f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}", connect=1, read=1)
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 3600}}
    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)
    kwargs = worker.connection.connection_pool.connection_kwargs

    # when: it waits for jobs three times as long as the read timeout, then stops
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="rq.worker"):
        worker.work(burst=False, max_idle_time=3)
    idled = time.monotonic() - started
    worker.connection.close()

    # then: its blocking wait was not cut off; only the connect timeout is ours
    assert (kwargs["socket_connect_timeout"], kwargs["socket_timeout"]) == (
        1,
        worker.connection_timeout,
    )
    assert worker.connection_timeout > 3
    assert idled >= 3
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "could not connect to Redis" in m]
    assert any("idle for 3 seconds, quitting" in m for m in messages)
