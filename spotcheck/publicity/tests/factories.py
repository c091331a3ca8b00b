"""Build a joint record of one entity, checked by the market and the police, and stand in
for the field entry and the review that come before publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spotcheck.accounts.models import User
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.tests.factories import ensure_result_codes, make_item
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord, RecordItem
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.personas import Departments, Regions

ENTERED_AT = dt.datetime(2026, 4, 13, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass(frozen=True)
class World:
    record: JointRecord
    market_item: InspectionItem
    police_item: InspectionItem
    entity: Entity


def enter(
    row: RecordItem, codes: list[str], by: User, *, at: dt.datetime = ENTERED_AT, notes: str = ""
) -> None:
    """Fill in a department's row as its inspector would (the field workflow's job)."""
    row.result_codes.set(ResultCode.objects.filter(code__in=codes))
    RecordItem.objects.filter(pk=row.pk).update(entered_by=by, entered_at=at, notes=notes)


def approve(record: JointRecord) -> JointRecord:
    """Stand in for the review workflow: the record is approved."""
    JointRecord.objects.filter(pk=record.pk).update(state=RecordState.APPROVED)
    record.refresh_from_db()
    return record


def build(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    entity: Entity,
    inspectors: list[Inspector],
    *,
    number: str = "晋州市政府办抽查〔2026〕10号",
    market_by: User | None = None,
    police_by: User | None = None,
) -> World:
    """A task of the three departments in which ``inspectors`` (a group) check ``entity``
    for one market and one police item."""
    calendar_load_bundled(actor=None)
    ensure_result_codes()
    suffix = number.rsplit("〕", 1)[1].removesuffix("号")
    market = make_item(departments.market, f"SJ-{suffix}", name="食品经营者一般合规性检查")
    police = make_item(departments.police, f"GA-{suffix}", name="保安服务公司检查")
    lead = make_item(departments.lead_office, f"JR-{suffix}", name="地方金融组织检查")
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [lead]),
            (departments.market, [market]),
            (departments.police, [police]),
        ],
        number=number,
    )
    group = make_group(task, inspectors)
    record = make_record(task, entity, group, [market, police])
    return World(record=record, market_item=market, police_item=police, entity=entity)
