"""Background tasks of directory imports (django-tasks; the backend is chosen in settings)."""

from __future__ import annotations

from django_tasks import task

from spotcheck.imports.services import import_job_run


@task()
def run_import_job(job_id: int) -> str:
    """Run one import job; a job that is not queued any more is left alone (idempotent)."""
    return import_job_run(job_id=job_id)
