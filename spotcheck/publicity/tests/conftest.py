"""An approved joint record of 丁 (checked by the market and the police), ready to publish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.publicity.tests.factories import ENTERED_AT, World, approve, build, enter
from spotcheck.testing.personas import Catalogue, Departments, Regions


@pytest.fixture
def world(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> World:
    w = build(
        departments, regions, lead_admin, catalogue.ding, [inspector_record, other_inspector_record]
    )
    rows = {r.department_id: r for r in w.record.items.all()}
    enter(rows[departments.market.pk], ["1"], inspector_user)
    enter(
        rows[departments.police.pk],
        ["A", "G"],
        other_inspector_user,
        at=ENTERED_AT + dt.timedelta(days=1),
        notes="已责令整改，负责人电话13812345678",
    )
    return w


@pytest.fixture
def approved(world: World) -> World:
    approve(world.record)
    return world


@pytest.fixture(autouse=True)
def _fresh_filter_choices() -> None:
    """The result notice keeps its filter lists for a minute; each test starts afresh."""
    cache.clear()
