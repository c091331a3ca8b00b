"""How import tests run their background tasks.

By default a task runs at once, in the test (django-tasks' ImmediateBackend). With
``TASKS_BACKEND=rq`` (the step of ``.ci/run`` that starts Redis and a real RQ worker)
the tasks go to Redis and the worker runs them; files are then stored on disk under
``MEDIA_ROOT`` so that the worker process can read them.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from spotcheck.imports.models import ImportJob
from spotcheck.imports.tests.helpers import WaitFor


@pytest.fixture
def tasks(settings: Any) -> WaitFor:
    """Configure the task backend; return ``wait_for(job)`` that waits until it finished."""
    if settings.TASKS_BACKEND == "rq":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
    else:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }

    def wait_for(job: ImportJob) -> ImportJob:
        deadline = time.monotonic() + 120
        while True:
            job.refresh_from_db()
            if job.is_finished or time.monotonic() > deadline:
                return job
            time.sleep(0.2)

    return wait_for


def real_worker() -> bool:
    return bool(getattr(settings, "TASKS_BACKEND", "") == "rq")
