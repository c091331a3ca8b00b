"""Background delivery of outbox messages (django-tasks; the backend is chosen in settings)."""

from __future__ import annotations

from django_tasks import task

from spotcheck.publicity.services import outbox_deliver


@task()
def deliver_outbox_message(message_id: int) -> str:
    """Send one message if it is due; a message already sent or claimed is left alone."""
    return outbox_deliver(message_id=message_id)
