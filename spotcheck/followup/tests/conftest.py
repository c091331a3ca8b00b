"""A joint record of 晋州市丁果蔬农民专业合作社 with a market item and a police item."""

from __future__ import annotations

import pytest

from spotcheck.accounts.models import User
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.followup.tests.factories import Scene, set_result
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


@pytest.fixture
def scene(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> Scene:
    lead_item = make_item(departments.lead_office, "JR-01", name="联合检查组织")
    market_item = make_item(departments.market, "SJ-01", name="企业公示信息情况检查")
    police_item = make_item(departments.police, "GA-01", name="保安服务公司检查")
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [lead_item]),
            (departments.market, [market_item]),
            (departments.police, [police_item]),
        ],
    )
    group = make_group(task, [inspector_record, other_inspector_record])
    record = make_record(task, catalogue.ding, group, [market_item, police_item])
    market_row = record.items.get(item=market_item)
    police_row = record.items.get(item=police_item)
    set_result(market_row, ["A", "2", "B"], "未按规定公示2025年度年报", inspector_user)
    set_result(police_row, ["1"], "", other_inspector_user)
    return Scene(task, record, market_item, police_item, market_row, police_row)
