"""What the 检查通知书 (one notice of everything to prepare) and its short message say."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.records import group_members


def record_materials(record: JointRecord) -> list[str]:
    """The materials the group asked for, else what every enterprise prepares."""
    lines = [line.strip() for line in record.materials.splitlines() if line.strip()]
    if lines:
        return lines
    return default_materials(record)


def default_materials(record: JointRecord) -> list[str]:
    """What every enterprise prepares, plus one line per item to check."""
    lines = ["营业执照（副本）", "法定代表人（负责人）身份证明；委托他人的，授权委托书"]
    for item in record.items.select_related("item").order_by("item__code"):
        lines.append(f"与“{item.item.name}”有关的许可证件、台账和记录")
    return lines


def notice_context(record: JointRecord) -> dict[str, Any]:
    """What the 检查通知书 and the short message say."""
    members = group_members(record)
    items = list(record.items.select_related("item", "department").order_by("item__code"))
    materials = record_materials(record)
    date = record.planned_on.strftime("%Y年%-m月%-d日") if record.planned_on else "近日"
    names = "、".join(
        f"{m.inspector.name}（执法证号{m.inspector.certificate_no}）" for m in members
    )
    sms = (
        f"【{record.task.lead_department.short_name or record.task.lead_department.name}】"
        f"{record.entity.name}：根据{record.task.number}，联合检查组将于{date}"
        f"对贵单位进行“双随机、一公开”联合抽查，检查事项："
        + "、".join(i.item.name for i in items)
        + f"。检查人员：{names}。请提前准备："
        + "；".join(materials)
        + "。"
    )
    return {
        "record": record,
        "members": members,
        "items": items,
        "materials": materials,
        "date_text": date,
        "sms_text": sms,
        "today": timezone.localdate(),
    }
