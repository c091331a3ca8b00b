"""A matched joint task with two 一企一表 records, shared by the page tests.

甲 (record 0001): group 1 (李检查 leads, 王检查), items of all three departments,
                   and a 需专业人员协助 note for the police's security item
乙 (record 0002): no group yet, one police item
"""

from __future__ import annotations

import pytest

from spotcheck.accounts.models import User
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import SubItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.tests.factories import Matched, make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


def _item(department, code: str, name: str, basis: str, method: str, lines: list[str]):
    item = make_item(department, code, name=name, legal_basis=basis, methods=[method])
    SubItem.objects.filter(item=item).delete()
    SubItem.objects.bulk_create(
        [SubItem(item=item, order=i, content=line) for i, line in enumerate(lines, 1)]
    )
    return item


@pytest.fixture
def matched(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Matched:
    lead_item = _item(
        departments.lead_office,
        "JR-XD-01",
        "小额贷款公司经营业务类检查",
        "《河北省地方金融监督管理条例》第二十条",
        "onsite",
        ["贷款发放是否符合规定", "利率是否超过上限"],
    )
    market_item = _item(
        departments.market,
        "SJ-GS-02",
        "公示信息检查",
        "《企业信息公示暂行条例》第十四条",
        "data_compare",
        ["年度报告公示信息是否真实"],
    )
    police_item = _item(
        departments.police,
        "GA-BA-01",
        "保安服务业检查",
        "《保安服务管理条例》第四十九条",
        "onsite",
        ["保安员是否持证上岗"],
    )
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
    jia = make_record(task, catalogue.jia, group, [lead_item, market_item, police_item])
    JointRecord.objects.filter(pk=jia.pk).update(
        specialist_needed=[{"department": "晋州市公安局", "qualification": "技防设施检测"}]
    )
    jia.refresh_from_db()
    yi = make_record(task, catalogue.yi, None, [police_item])
    return Matched(task, group, jia, yi, lead_item, market_item, police_item)
