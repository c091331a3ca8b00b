"""The outbox against a real local HTTP receiver that fails, times out and errs on purpose."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from functools import partial
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.selectors import outbox_message_ids
from spotcheck.publicity.services import (
    _claim,
    backoff_seconds,
    outbox_deliver,
    outbox_deliver_due,
    publish_on_approval,
    result_correct,
)
from spotcheck.publicity.tasks import outbox_enqueue
from spotcheck.publicity.tests.factories import World, approve, build, enter
from spotcheck.publicity.tests.receiver import Receiver, running
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions

NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def outbox(settings: Any) -> Any:
    settings.GSXT_OUTBOX_TIMEOUT = 1
    settings.GSXT_OUTBOX_MAX_ATTEMPTS = 12
    settings.GSXT_OUTBOX_BACKOFF_SECONDS = 30
    settings.GSXT_OUTBOX_TOKEN = "secret-token"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


def _many(
    n: int,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspectors: list[Inspector],
    by: User,
) -> list[ResultPublication]:
    """Publish ``n`` approved records of 丁 (two notices each: market and police)."""
    published = []
    for i in range(n):
        w = build(
            departments,
            regions,
            lead_admin,
            catalogue.ding,
            inspectors,
            number=f"晋州市政府办抽查〔2026〕{20 + i}号",
        )
        for row in w.record.items.exclude(department=departments.lead_office):
            enter(row, ["1"], by)
        with time_machine.travel(NOW, tick=False):
            published += publish_on_approval(actor=lead_admin, record=approve(w.record))
    return published


def _drain(rounds: int = 30) -> int:
    """Run the sweep as cron would, each run later than every back-off so far."""
    now = NOW
    for n in range(rounds):
        if (
            not OutboxMessage.objects.exclude(state=OutboxState.DELIVERED)
            .exclude(state=OutboxState.DEAD)
            .exists()
        ):
            return n
        now += dt.timedelta(hours=7)
        outbox_deliver_due(now=now)
    return rounds


def test_nothing_is_lost_and_nothing_is_stored_twice_through_errors_timeouts_and_drops(
    outbox: Any,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    other_dept_admin: User,
    inspector_user: User,
) -> None:
    # given: 6 notices and 1 correction; the receiver misbehaves in every way first
    script = ["500", "timeout", "drop", "503", "429", "timeout", "500", "drop", "timeout"]
    with running(Receiver(script)) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        published = _many(
            3,
            departments,
            regions,
            lead_admin,
            catalogue,
            [inspector_record, other_inspector_record],
            inspector_user,
        )
        police = next(p for p in published if p.department == departments.police)
        with time_machine.travel(NOW, tick=False):
            result_correct(
                actor=other_dept_admin,
                publication=police,
                reason="整改已于检查当日完成",
                item_codes={police.items[0]["id"]: ["E"]},
            )

        # when
        rounds = _drain()

    # then
    messages = list(OutboxMessage.objects.all())
    keys = {m.idempotency_key for m in messages}
    assert len(messages) == 7
    assert rounds < 30
    assert {m.state for m in messages} == {OutboxState.DELIVERED}
    assert set(receiver.stored) == keys
    assert set(receiver.accepted.values()) == {1}
    assert len(receiver.requests) >= len(messages) + len(script)
    assert sum(m.attempts for m in messages) == len(receiver.requests)
    assert receiver.headers[0]["Authorization"] == "Bearer secret-token"
    stored = receiver.stored[police.outbox_message.idempotency_key]
    assert stored["record"]["checkOffice"] == "晋州市公安局"
    assert stored["record"]["uniscid"] == catalogue.ding.uscc


def test_a_timed_out_attempt_that_arrived_is_recognised_on_the_retry(
    outbox: Any, approved: World, lead_admin: User
) -> None:
    # given: the receiver stores the first message but answers after the sender gave up
    with running(Receiver(["timeout"])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            first = publish_on_approval(actor=lead_admin, record=approved.record)[0]
        message = first.outbox_message

        # when
        outcome_1 = outbox_deliver(message_id=message.pk, now=NOW)
        receiver.wait_stored(message.idempotency_key)
        message.refresh_from_db()
        retry_at = message.next_attempt_at
        outcome_2 = outbox_deliver(message_id=message.pk, now=retry_at)

    # then
    message.refresh_from_db()
    assert (outcome_1, outcome_2) == ("retry", "delivered")
    assert message.last_status == 409
    assert receiver.requests == [message.idempotency_key, message.idempotency_key]
    assert receiver.accepted[message.idempotency_key] == 1
    assert retry_at > NOW


def test_retries_back_off_exponentially(settings: Any) -> None:
    # given
    settings.GSXT_OUTBOX_BACKOFF_SECONDS = 60

    # when
    delays = [backoff_seconds(n) for n in (1, 2, 3, 4, 10, 20)]

    # then
    assert delays == [60, 120, 240, 480, 21600, 21600]


def test_a_message_is_not_sent_before_its_back_off_has_passed(
    outbox: Any, approved: World, lead_admin: User
) -> None:
    # given
    with running(Receiver(["500"])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            message = publish_on_approval(actor=lead_admin, record=approved.record)[
                0
            ].outbox_message
        outbox_deliver(message_id=message.pk, now=NOW)

        # when
        early = outbox_deliver(message_id=message.pk, now=NOW + dt.timedelta(seconds=10))

    # then
    message.refresh_from_db()
    assert early == "skipped"
    assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
    assert len(receiver.requests) == 1


def test_a_worker_killed_mid_send_is_taken_over_after_its_lease_and_delivered_once(
    outbox: Any, approved: World, lead_admin: User
) -> None:
    # given: a worker claimed the message, then died before recording anything
    with running(Receiver([])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            message = publish_on_approval(actor=lead_admin, record=approved.record)[
                0
            ].outbox_message
        claimed = _claim(message.pk, NOW)
        assert claimed is not None
        assert claimed.state == OutboxState.SENDING

        # when: the restarted sweep runs during the lease, then after it
        during = outbox_deliver_due(now=NOW + dt.timedelta(seconds=5))
        after = outbox_deliver_due(now=NOW + dt.timedelta(minutes=5))

    # then
    message.refresh_from_db()
    assert during == {"delivered": 1, "retry": 0, "dead": 0, "skipped": 0}  # the other one
    assert after == {"delivered": 1, "retry": 0, "dead": 0, "skipped": 0}
    assert message.state == OutboxState.DELIVERED
    assert receiver.accepted[message.idempotency_key] == 1


def test_a_refused_message_goes_to_the_dead_letters_at_once(
    outbox: Any, approved: World, lead_admin: User
) -> None:
    # given
    with running(Receiver(["400"])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            message = publish_on_approval(actor=lead_admin, record=approved.record)[
                0
            ].outbox_message

        # when
        outcome = outbox_deliver(message_id=message.pk, now=NOW)

    # then
    message.refresh_from_db()
    assert outcome == "dead"
    assert (message.state, message.attempts, message.last_status) == (OutboxState.DEAD, 1, 400)
    assert AuditEvent.objects.filter(event_type="publicity.outbox.dead").count() == 1
    assert receiver.stored == {}


def test_a_message_that_keeps_failing_is_dead_lettered_after_the_last_attempt(
    outbox: Any, approved: World, lead_admin: User
) -> None:
    # given
    outbox.GSXT_OUTBOX_MAX_ATTEMPTS = 3
    with running(Receiver(["500"] * 10)) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            message = publish_on_approval(actor=lead_admin, record=approved.record)[
                0
            ].outbox_message

        # when
        outcomes = []
        now = NOW
        for _ in range(4):
            outcomes.append(outbox_deliver(message_id=message.pk, now=now))
            now += dt.timedelta(hours=7)

    # then
    message.refresh_from_db()
    assert outcomes == ["retry", "retry", "dead", "skipped"]
    assert (message.state, message.attempts) == (OutboxState.DEAD, 3)
    assert receiver.requests.count(message.idempotency_key) == 3


def test_the_platform_admin_re_sends_a_dead_letter_from_its_page(
    outbox: Any,
    approved: World,
    lead_admin: User,
    platform_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    with running(Receiver(["400"])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url
        with time_machine.travel(NOW, tick=False):
            message = publish_on_approval(actor=lead_admin, record=approved.record)[
                0
            ].outbox_message
        outbox_deliver(message_id=message.pk, now=NOW)
        client = Client()
        client.force_login(platform_admin, backend=LOGIN_BACKEND)
        page = client.get("/publicity/outbox/").content.decode()

        # when: the button posts; the task (run at once here) delivers it
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/publicity/outbox/{message.pk}/resend/")

    # then
    message.refresh_from_db()
    assert 'data-testid="outbox-row"' in page
    assert "HTTP 400" in page
    assert response.status_code == 302
    assert (message.state, message.resent_count) == (OutboxState.DELIVERED, 1)
    assert receiver.accepted[message.idempotency_key] == 1
    assert AuditEvent.objects.filter(event_type="publicity.outbox.resent").count() == 1


def test_publishing_hands_the_message_to_the_background_task_after_commit(
    outbox: Any,
    approved: World,
    lead_admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    with running(Receiver([])) as receiver:
        outbox.GSXT_OUTBOX_URL = receiver.url

        # when: published, and handed over after the commit as the approval chain does
        with django_capture_on_commit_callbacks(execute=True):
            published = publish_on_approval(actor=lead_admin, record=approved.record)
            transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))

    # then
    assert {p.outbox_message.idempotency_key for p in published} == set(receiver.stored)
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


def test_without_an_endpoint_messages_wait_and_nothing_is_sent(
    settings: Any, approved: World, lead_admin: User
) -> None:
    # given
    settings.GSXT_OUTBOX_URL = ""
    published = publish_on_approval(actor=lead_admin, record=approved.record)

    # when
    counts = outbox_deliver_due(now=timezone.now() + dt.timedelta(days=1))

    # then
    assert counts == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
    assert {p.outbox_message.state for p in published} == {OutboxState.PENDING}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_outbox_exports_the_same_records_as_files(
    settings: Any, approved: World, lead_admin: User, platform_admin: User, fmt: str
) -> None:
    # given
    settings.GSXT_OUTBOX_URL = ""
    published = publish_on_approval(actor=lead_admin, record=approved.record)
    client = Client()
    client.force_login(platform_admin, backend=LOGIN_BACKEND)

    # when
    response = client.get(f"/publicity/outbox/export.{fmt}?state=pending")

    # then
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="spotcheck-gsxt-outbox.{fmt}"'
    if fmt == "json":
        records = json.loads(body)["results"]
        assert records == [p.outbox_message.payload["record"] for p in published]
    elif fmt == "csv":
        text = body.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("统一社会信用代码,注册号,市场主体名称,抽查计划编号")
        assert text.count(approved.entity.uscc) == 2
    else:
        assert body[:2] == b"PK"


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_worker_delivers_and_retries_after_its_back_off(
    settings: Any, world: World, lead_admin: User
) -> None:
    # given: the real queue in the database; the first attempt meets a server error
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.GSXT_OUTBOX_TIMEOUT = 2
    settings.GSXT_OUTBOX_BACKOFF_SECONDS = 1
    with running(Receiver(["500"])) as receiver:
        settings.GSXT_OUTBOX_URL = receiver.url
        with transaction.atomic():
            published = publish_on_approval(actor=lead_admin, record=approve(world.record))
            transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))

        # when: the worker runs what is due, then again once the back-off has passed
        call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())
        after_first_run = sorted(OutboxMessage.objects.values_list("state", flat=True))
        time.sleep(1.5)
        call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())

    # then
    assert after_first_run == [OutboxState.DELIVERED, OutboxState.PENDING]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}
    assert set(receiver.stored) == {p.outbox_message.idempotency_key for p in published}
    assert set(receiver.accepted.values()) == {1}
    assert len(receiver.requests) == 3
