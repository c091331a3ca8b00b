"""A joint task of the three departments with two 一企一表 records, and the field work,
review and follow-up that the task's steps wait for, done directly or through the services.

甲 (record 0001): group 1 (李检查 of 市场监管局 leads, 王检查 of 公安局), a market and a
                   police item;
乙 (record 0002): group 2 (the same two inspectors), a market item.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.tests.factories import ensure_result_codes, make_item
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord, RecordItem
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Catalogue, Departments, Regions


@dataclass(frozen=True)
class Joint:
    task: Task
    jia: JointRecord
    yi: JointRecord
    market_item: InspectionItem
    police_item: InspectionItem


def build_joint(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    market_inspector: Inspector,
    police_inspector: Inspector,
    *,
    state: str,
) -> Joint:
    calendar_load_bundled(actor=None)
    ensure_result_codes()
    lead = make_item(departments.lead_office, "JR-01", name="联合检查组织")
    market = make_item(departments.market, "SJ-01", name="食品经营许可情况")
    police = make_item(departments.police, "GA-01", name="保安服务许可情况")
    for item in (market, police):
        item.result_codes.set(ResultCode.objects.all())
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [lead]),
            (departments.market, [market]),
            (departments.police, [police]),
        ],
        state=state,
    )
    group1 = make_group(task, [market_inspector, police_inspector])
    group2 = make_group(task, [market_inspector, police_inspector], number=2)
    jia = make_record(task, catalogue.jia, group1, [market, police])
    yi = make_record(task, catalogue.yi, group2, [market])
    return Joint(task=task, jia=jia, yi=yi, market_item=market, police_item=police)


def enter(record: JointRecord, codes: list[str], by: User) -> None:
    """Fill in every item of the record, as the inspectors would."""
    for row in record.items.all():
        row.result_codes.set(ResultCode.objects.filter(code__in=codes))
    RecordItem.objects.filter(record=record).update(
        findings="现场核查", entered_by=by, entered_at=timezone.now()
    )


def settle(record: JointRecord, state: str = RecordState.APPROVED) -> JointRecord:
    """Stand in for the signature and the review: the record is signed and in ``state``."""
    JointRecord.objects.filter(pk=record.pk).update(
        state=state, signed_at=dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC)
    )
    record.refresh_from_db()
    return record


def sid() -> uuid.UUID:
    return uuid.uuid4()
