"""Queue entry points of directory imports (django-tasks; the backend is chosen in settings).

Only the task and the function that queues it live here; the work is done by
``spotcheck.imports.services``, which never imports this module.
"""

from __future__ import annotations

import logging

from django_tasks import task

from spotcheck.imports.choices import QUEUE_DOWN_MESSAGE
from spotcheck.imports.services import import_job_fail, import_job_run, import_job_set_task

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int) -> str:
    """Run one import job; a job that is not queued any more is left alone (idempotent)."""
    return import_job_run(job_id=job_id)


def import_job_enqueue(job_id: int) -> None:
    """Queue the task of a committed import job (call it with ``transaction.on_commit``).

    When the queue itself is down the job is marked failed with a Chinese reason on its
    page (the log has why), so it never stays 排队中.
    """
    try:
        result = run_import_job.enqueue(job_id)
    except Exception:
        logger.exception("could not enqueue import job %s", job_id)
        import_job_fail(job_id=job_id, message=QUEUE_DOWN_MESSAGE)
        return
    import_job_set_task(job_id=job_id, task_result_id=str(result.id))
