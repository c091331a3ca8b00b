"""Redis for the operations tests: where it is, whether it is up, its queue, a real RQ worker,
and a publication that goes through it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from functools import partial

import time_machine
from django.db import transaction
from django.urls import reverse
from django_tasks_rq.backend import Job
from redis import Redis
from rq import Queue, SimpleWorker

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.publicity.models import ResultPublication
from spotcheck.publicity.selectors import outbox_message_ids
from spotcheck.publicity.services import publish_on_approval
from spotcheck.publicity.tasks import outbox_enqueue
from spotcheck.publicity.tests.factories import approve, build, enter
from spotcheck.testing.personas import Catalogue, Departments, Regions
from tests.operations.proxy import CuttableProxy

REDIS = ("127.0.0.1", 6379)
# Each pytest-xdist worker flushes a database of its own: 8 for gw0 (and a run without
# xdist), 9 for gw1, ... up to 14; 15 is the RQ step of .ci/run.
REDIS_DB = 8 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 7
NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)
UPLOAD = reverse("directory:import_upload")


def redis_reachable() -> bool:
    """Whether a Redis server answers at ``REDIS``."""
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def publish_one(
    n: int,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspectors: list[Inspector],
    by: User,
) -> list[ResultPublication]:
    """Approve and publish a record of 丁 checked by the market and the police (two notices)."""
    w = build(
        departments,
        regions,
        lead_admin,
        catalogue.ding,
        inspectors,
        number=f"晋州市政府办抽查〔2026〕{60 + n}号",
    )
    for row in w.record.items.exclude(department=departments.lead_office):
        enter(row, ["1"], by)
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        # as the review step does (spotcheck.workflow.records): the messages go to the
        # queue once the publication is committed
        published = publish_on_approval(actor=lead_admin, record=approve(w.record))
        transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))
    return published


def queued_jobs() -> int:
    """The number of jobs waiting in the ``default`` queue of ``REDIS_DB``."""
    with Redis(*REDIS, db=REDIS_DB) as direct:
        return len(Queue("default", connection=direct))


def run_rq_worker(proxy: CuttableProxy) -> None:
    """A real RQ worker in this process (it sees the test database) until the queue is empty."""
    connection = Redis("127.0.0.1", proxy.port, db=REDIS_DB)
    queue = Queue("default", connection=connection, job_class=Job)
    SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
    connection.close()
