"""A practice task (演练任务) never reaches the public pages, the open data or the exchange."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import plan_list_public, task_list_public
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.services import outbox_deliver_due, publish_on_approval
from spotcheck.publicity.tests.factories import World

NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)


def _body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


@pytest.fixture
def practice(approved: World, lead_admin: User) -> list[ResultPublication]:
    Task.objects.filter(pk=approved.record.task_id).update(is_practice=True)
    approved.record.task.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        return publish_on_approval(actor=lead_admin, record=approved.record)


def test_a_practice_task_is_published_for_the_staff_but_sends_nothing_to_the_exchange(
    practice: list[ResultPublication], settings: object
) -> None:
    # given a practice task's approved record, published for the staff
    assert len(practice) == 2

    # when the outbox is swept
    settings.GSXT_OUTBOX_URL = "http://127.0.0.1:9/never"  # type: ignore[attr-defined]
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        counts = outbox_deliver_due()

    # then no message was ever queued or sent
    assert OutboxMessage.objects.count() == 0
    assert counts == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}


def test_a_practice_task_is_on_no_public_page(
    practice: list[ResultPublication], approved: World, client: Client
) -> None:
    # given a published practice task
    task = approved.record.task

    # when a visitor reads the public pages, the open data and the public API
    pages = {
        url: _body(client, url)
        for url in (
            "/public/tasks/",
            "/public/plans/",
            "/public/results/",
            f"/public/lookup/?q={approved.entity.uscc}",
            "/public/api/results/",
            "/public/open-data/results-2026.csv",
            "/public/open-data/results-2026.json",
            "/api/v1/public/tasks/",
        )
    }

    # then neither the task nor its results appear anywhere
    for url, body in pages.items():
        assert task.number not in body, url
    assert client.get(f"/public/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/public/results/{practice[0].pk}/").status_code == 404
    assert client.get(f"/api/v1/public/tasks/{task.pk}/draws/").status_code == 404
    assert list(task_list_public()) == []
    assert [t for p in plan_list_public() for t in p.tasks.all()] == []


def test_the_outbox_file_export_leaves_practice_results_out(
    practice: list[ResultPublication], platform_admin: User, client: Client
) -> None:
    # given a published practice task
    client.force_login(platform_admin)

    # when the platform admin exports the exchange file
    body = _body(client, "/publicity/outbox/export.csv")

    # then it has the header only
    assert body.strip().count("\n") == 0
