"""The draws' fixtures: a drawn task dispatched, confirmed, in grouping, and claimed.

Each starts from the suite-wide ``task`` fixture (``spotcheck/conftest.py``).
"""

from __future__ import annotations

import pytest
import time_machine

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.draws.dispatch import department_claim, draw_dispatch
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.tests.factories import NOW, confirm_all, drawn


@pytest.fixture
def dispatched(task: Task, lead_admin: User, dept_admin: User) -> Task:
    """The task drawn on ``NOW`` and dispatched: every department has objects to confirm."""
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        drawn(task, lead_admin, dept_admin)
        draw_dispatch(actor=lead_admin, task=task)
    task.refresh_from_db()
    return task


@pytest.fixture
def confirmed(task: Task, lead_admin: User, dept_admin: User) -> Task:
    """The task drawn on ``NOW`` and confirmed by both departments, one object replaced."""
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        drawn(task, lead_admin, dept_admin)
        return confirm_all(task, lead_admin, dept_admin)


@pytest.fixture
def grouping(confirmed: Task, lead_admin: User) -> Task:
    """The confirmed task with grouping started."""
    return grouping_start(actor=lead_admin, task=confirmed)


@pytest.fixture
def claimed(grouping: Task, lead_admin: User, dept_admin: User) -> Task:
    """The task in grouping with both departments' claims made."""
    department_claim(actor=lead_admin, task=grouping)
    department_claim(actor=dept_admin, task=grouping)
    return grouping
