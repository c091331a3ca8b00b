"""The queue entry point of publicity and the helpers that hand outbox messages to it.

Delivery runs on django-tasks (the backend is chosen in settings, ADR 0006). Services
never enqueue: the caller that wrote or re-queued outbox messages schedules
``outbox_enqueue`` with ``transaction.on_commit``, so a worker never sees a message
whose row is not committed yet::

    published = publish_on_approval(actor=reviewer, record=record)
    transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))

A hand-over that fails is logged, never raised: the message stays pending in the
database and ``manage.py outbox_deliver`` sends it later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django_tasks import task

from spotcheck.publicity.services import outbox_attempt, outbox_configured

logger = logging.getLogger(__name__)


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Send one message if it is due; a message already sent or claimed is left alone.

    A message that must be tried again is handed back to the queue for the end of its
    back-off, after the attempt is committed.
    """
    attempt = outbox_attempt(message_id=message_id)
    if attempt.retry_at is not None:
        transaction.on_commit(partial(outbox_enqueue, [message_id], attempt.retry_at))
    return attempt.outcome


def outbox_enqueue(message_ids: Sequence[int], run_after: dt.datetime | None = None) -> None:
    """Hand messages to the delivery task; call it from ``transaction.on_commit``.

    Nothing is handed over when no receiving address is configured. With ``run_after``
    the job waits until then if the backend can defer; otherwise it is not queued at all
    and the sweep (``manage.py outbox_deliver``) sends the message when it is due.
    """
    if not outbox_configured():
        return
    for n, message_id in enumerate(message_ids):
        try:
            job = deliver_outbox_message
            if run_after is not None and job.get_backend().supports_defer:
                job = job.using(run_after=run_after)
            elif run_after is not None:
                continue  # the sweep (outbox_deliver) picks it up when it is due
            job.enqueue(message_id)
        except Exception:  # the queue is down or hangs: the sweep delivers them later
            logger.exception("could not enqueue outbox message %s", message_id)
            # Not tried: one more hand-over to a hanging queue would cost the request
            # another read timeout (REDIS_READ_TIMEOUT) for the same outcome.
            for left in message_ids[n + 1 :]:
                logger.error("could not enqueue outbox message %s", left)
            return
