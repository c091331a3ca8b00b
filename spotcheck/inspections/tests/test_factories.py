from __future__ import annotations

from spotcheck.accounts.models import User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


def test_a_matched_task_with_one_joint_record(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> None:
    market = make_item(departments.market, "SJ-01")
    police = make_item(departments.police, "GA-01")
    lead = make_item(departments.lead_office, "JR-01")
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
    group = make_group(task, [inspector_record, other_inspector_record])
    record = make_record(task, catalogue.ding, group, [market, police])

    assert task.state == TaskState.MATCHED
    assert record.state == RecordState.PENDING
    assert [m.is_leader for m in group.members.order_by("-is_leader")] == [True, False]
    assert sorted(i.department.name for i in record.items.all()) == [
        "晋州市公安局",
        "晋州市市场监督管理局",
    ]
