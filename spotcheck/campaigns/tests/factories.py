"""Build a joint task directly in any state, without walking it through the workflow.

For tests of what happens after publication (drawing, matching, field work, review,
publication, follow-up); the state changes themselves are tested through their services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import plan_create, task_create
from spotcheck.catalogue.models import InspectionItem
from spotcheck.testing.personas import Departments, Regions


def make_task(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    participants: Sequence[tuple[Department, Sequence[InspectionItem]]],
    *,
    number: str = "晋州市政府办抽查〔2026〕10号",
    state: str = TaskState.MATCHED,
) -> Task:
    """Create a joint task through the services, then put it in ``state`` directly."""
    plan = plan_create(
        actor=lead_admin,
        year=2026,
        name="2026年度联合抽查计划",
        number=f"计划-{number}",
        department=departments.lead_office,
    )
    task = task_create(
        actor=lead_admin,
        values={
            "plan": plan,
            "number": number,
            "name": "第十次联合抽查",
            "lead_department": departments.lead_office,
            "scope_region": regions.county,
            "ratio_a": Decimal("3"),
            "ratio_b": Decimal("3"),
            "ratio_c": Decimal("5"),
            "ratio_d": Decimal("10"),
            "floor_ratio": Decimal("3"),
            "window_start": dt.date(2026, 3, 1),
            "window_end": dt.date(2026, 7, 30),
        },
        participants=[(d, list(items)) for d, items in participants],
    )
    Task.objects.filter(pk=task.pk).update(state=state)
    task.refresh_from_db()
    return task
