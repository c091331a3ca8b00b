"""Fixtures shared by the tests of every app.

The personas of ``spotcheck.testing.personas`` (regions, departments, one user per role,
the catalogue of four entities), and ``task``: a published joint task ready to draw, used
by the draws and by the apps that follow a draw.
"""

import pytest

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.draws.tests.factories import make_task_to_draw
from spotcheck.testing.personas import (  # noqa: F401
    Departments,
    Regions,
    auditor,
    cache_resumed,
    catalogue,
    departments,
    dept_admin,
    inspector_record,
    inspector_user,
    lead_admin,
    other_dept_admin,
    other_inspector_record,
    other_inspector_user,
    parent_dept_admin,
    persona_client,
    platform_admin,
    regions,
    signal_handlers_kept,
)


@pytest.fixture
def task(departments: Departments, regions: Regions, lead_admin: User) -> Task:  # noqa: F811
    """A published task of the 牵头单位 and the market department, ready to draw."""
    return make_task_to_draw(departments, regions, lead_admin)
