"""What the 随机抽查联合检查记录表 shows, for the office page and its PDF alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects

from spotcheck.accounts.models import Department
from spotcheck.inspections.models import JointRecord, RecordItem


@dataclass
class DepartmentSection:
    """One department's rows of the record."""

    department: Department
    rows: list[RecordItem] = field(default_factory=list)


def _specialists(record: JointRecord, departments: dict[int, Department]) -> list[dict[str, str]]:
    """The 需专业人员协助 notes, whatever shape the generation stored them in."""
    by_name = {d.name: d for d in departments.values()}
    notes = []
    for entry in record.specialist_needed or []:
        if isinstance(entry, dict):
            dept: Any = entry.get("department", "")
            what = entry.get("qualification") or entry.get("speciality") or entry.get("item", "")
        else:
            dept, what = "", entry
        department = departments.get(dept) if isinstance(dept, int) else by_name.get(str(dept))
        name = department.name if department else str(dept)
        notes.append({"department": name, "qualification": str(what)})
    return notes


def record_sheet(record: JointRecord) -> dict[str, Any]:
    """Everything the 随机抽查联合检查记录表 shows, for the page and the PDF alike."""
    # the selector may have fetched the rows already: complete them rather than refetch
    rows = list(record.items.all())
    prefetch_related_objects(
        rows,
        "department",
        "item",
        "entered_by",
        "result_codes",
        "item__sub_items",
        "item__result_codes",
    )
    sections: dict[int, DepartmentSection] = {}
    for row in rows:
        sections.setdefault(row.department_id, DepartmentSection(row.department)).rows.append(row)
    members = list(record.group.members.all()) if record.group else []
    departments = {s.department.pk: s.department for s in sections.values()}
    return {
        "record": record,
        "task": record.task,
        "entity": record.entity,
        "group": record.group,
        "leader": next((m for m in members if m.is_leader), None),
        "members": members,
        # the lead department's items first, as its inspector leads the group
        "sections": sorted(
            sections.values(),
            key=lambda s: (s.department.pk != record.task.lead_department_id, s.department.path),
        ),
        "specialists": _specialists(record, departments),
        "merged_into": record.merged_into,
        "merged_records": list(record.merged_records.select_related("task")),
        "item_count": sum(len(s.rows) for s in sections.values()),
    }
