"""A follow-up scene: a joint record of 晋州市丁果蔬农民专业合作社 with a market item and a
police item, and entering an item's result directly, as the field entry would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.tests.factories import ensure_result_codes
from spotcheck.inspections.models import JointRecord, RecordItem

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
