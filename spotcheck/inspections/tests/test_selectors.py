from __future__ import annotations

import pytest
from django.http import Http404

from spotcheck.accounts.models import User
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.records import (
    joint_record_get_for_user,
    joint_record_list_for_user,
)
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


@pytest.fixture
def records(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
) -> tuple[JointRecord, JointRecord]:
    lead = make_item(departments.lead_office, "JR-01")
    market = make_item(departments.market, "SJ-01")
    police = make_item(departments.police, "GA-01")
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [lead]),
            (departments.market, [market]),
            (departments.police, [police]),
        ],
    )
    group = make_group(task, [inspector_record])
    market_record = make_record(task, catalogue.jia, group, [market])
    police_record = make_record(task, catalogue.yi, None, [police])
    return market_record, police_record


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("platform_admin", {"jia", "yi"}),
        ("auditor", {"jia", "yi"}),
        ("lead_admin", {"jia", "yi"}),
        ("dept_admin", {"jia"}),
        ("other_dept_admin", {"yi"}),
        ("inspector_user", {"jia"}),
        ("other_inspector_user", set()),
    ],
)
def test_each_role_reads_only_its_joint_records(
    request: pytest.FixtureRequest,
    records: tuple[JointRecord, JointRecord],
    other_inspector_record: Inspector,
    persona: str,
    visible: set[str],
) -> None:
    # given
    user = request.getfixturevalue(persona)
    names = {records[0].pk: "jia", records[1].pk: "yi"}
    # when
    seen = {names[r.pk] for r in joint_record_list_for_user(user)}
    # then
    assert seen == visible


def test_a_record_outside_the_scope_is_not_found(
    records: tuple[JointRecord, JointRecord], other_inspector_user: User
) -> None:
    with pytest.raises(Http404):
        joint_record_get_for_user(other_inspector_user, records[0].pk)
