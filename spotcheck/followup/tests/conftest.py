"""A joint record of 晋州市丁果蔬农民专业合作社 with a market item and a police item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.tests.factories import ensure_result_codes, make_item
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import JointRecord, RecordItem
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions

SHANGHAI = ZoneInfo("Asia/Shanghai")
FOUND = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


@dataclass(frozen=True)
class Scene:
    task: Task
    record: JointRecord
    market_item: InspectionItem
    police_item: InspectionItem
    market_row: RecordItem
    police_row: RecordItem


def set_result(row: RecordItem, codes: list[str], findings: str, user: User) -> None:
    """Enter an item's result directly, as the field entry would."""
    ensure_result_codes()
    RecordItem.objects.filter(pk=row.pk).update(
        findings=findings, entered_by=user, entered_at=FOUND
    )
    row.result_codes.set(ResultCode.objects.filter(code__in=codes))
    row.refresh_from_db()


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
