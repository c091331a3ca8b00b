"""Reads of entry conflicts: both sides of each, as shown on the pages and answered to the
phone and the API, and how each was settled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from spotcheck.catalogue.models import ResultCode
from spotcheck.inspections.models import EntryConflict, JointRecord
from spotcheck.inspections.selectors.snapshot import time_text


def _labels(codes: list[str]) -> list[str]:
    """Each result code with its label."""
    known = dict(ResultCode.objects.filter(code__in=codes).values_list("code", "label"))
    return [f"{c} {known.get(c, '')}".strip() for c in codes]


def conflict_view(conflict: EntryConflict) -> dict[str, Any]:
    """Both sides of a conflict, as shown on the pages and answered to the phone and the API."""
    item = conflict.item
    item_now = {
        "findings": item.findings,
        "codes": sorted(c.code for c in item.result_codes.all()),
        "notes": item.notes,
        "version": item.version,
        "entered_by": str(item.entered_by) if item.entered_by_id else "",
        "entered_at": time_text(item.entered_at),
    }
    current = dict(item_now)
    if not conflict.is_open:
        # what the other side was at the moment of the conflict
        current = {
            "findings": conflict.current.get("findings", ""),
            "codes": conflict.current.get("codes", []),
            "notes": conflict.current.get("notes", ""),
            "version": conflict.current_version,
            "entered_by": conflict.current.get("entered_by_name", ""),
            "entered_at": time_text(
                dt.datetime.fromisoformat(conflict.current["entered_at"])
                if conflict.current.get("entered_at")
                else None
            ),
        }
    current["results"] = _labels(current["codes"])
    item_now["results"] = _labels(item_now["codes"])
    return {
        "id": conflict.pk,
        "item": item.pk,
        "item_code": item.item.code,
        "item_name": item.item.name,
        "department": item.department_id,
        "open": conflict.is_open,
        "correction": conflict.correction,
        "current": current,
        "now": item_now,
        "incoming": {
            "findings": conflict.findings,
            "codes": list(conflict.codes),
            "results": _labels(list(conflict.codes)),
            "notes": conflict.notes,
            "base_version": conflict.base_version,
            "written_by": str(conflict.written_by),
            "written_by_id": conflict.written_by_id,
            "written_at": time_text(conflict.written_at),
        },
        "settlement": conflict.settlement,
        "settlement_label": str(conflict.get_settlement_display()) if conflict.settlement else "",
        "settled_by": str(conflict.settled_by) if conflict.settled_by_id else "",
        "settled_at": time_text(conflict.settled_at),
        "message": (
            f"“{item.item.name}”在您编辑期间已被{current['entered_by'] or '他人'}修改"
            f"（第{current['version']}版），您的内容未覆盖对方，已作为冲突保存，请选择保留哪一份或合并"
        ),
    }


def conflicts_of(record: JointRecord, *, open_only: bool = False) -> list[dict[str, Any]]:
    """The record's conflicts, oldest first: both sides and how each was settled."""
    qs = EntryConflict.objects.filter(record=record).select_related(
        "item__item", "item__department", "item__entered_by", "written_by", "settled_by"
    )
    if open_only:
        qs = qs.filter(settled_at__isnull=True)
    return [conflict_view(c) for c in qs.prefetch_related("item__result_codes").order_by("pk")]


def open_conflict_record_ids(records: list[JointRecord]) -> set[int]:
    """Which of these records have a conflict nobody has settled yet."""
    return set(
        EntryConflict.objects.filter(record__in=records, settled_at__isnull=True).values_list(
            "record_id", flat=True
        )
    )


def conflict_answer(record: JointRecord, conflict_ids: list[int]) -> dict[str, Any]:
    """The answer to a write that conflicted: both sides of each conflict, in Chinese."""
    views = [c for c in conflicts_of(record) if c["id"] in conflict_ids]
    return {
        "conflict": True,
        "conflicts": views,
        "errors": [c["message"] for c in views],
    }
