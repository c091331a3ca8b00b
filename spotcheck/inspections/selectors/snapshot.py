"""``record_snapshot``: the one description of a record's content.

The web page of the final record, its PDF and every stored version are rendered from it,
so they cannot differ.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from spotcheck.inspections.models import GroupMember, JointRecord


def time_text(value: dt.datetime | None) -> str:
    """A time as the record shows it (local, to the minute), or empty."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def record_snapshot(record: JointRecord) -> dict[str, Any]:
    """Everything the record says, as plain data (stored in versions, rendered in web and PDF)."""
    record = (
        JointRecord.objects.select_related("task", "entity", "task__lead_department")
        .prefetch_related(
            "items__department",
            "items__item",
            "items__result_codes",
            "items__entered_by",
            "items__photos",
            "notices",
            "signatures__member__inspector",
            "signatures__member__department",
        )
        .get(pk=record.pk)
    )
    entity = record.entity
    members = (
        list(
            GroupMember.objects.filter(group_id=record.group_id).select_related(
                "inspector", "department"
            )
        )
        if record.group_id
        else []
    )
    return {
        "number": record.number,
        "task": {"number": record.task.number, "name": record.task.name},
        "lead_department": record.task.lead_department.name,
        "entity": {
            "name": entity.name,
            "uscc": entity.uscc or entity.reg_no,
            "address": entity.business_address or entity.address,
            "legal_rep": entity.legal_rep_name,
        },
        "members": _members_part(members),
        "planned_on": record.planned_on.isoformat() if record.planned_on else "",
        "started_at": time_text(record.started_at),
        "ended_at": time_text(record.ended_at),
        "location": (
            f"{record.latitude}, {record.longitude}"
            if record.latitude is not None and record.longitude is not None
            else ""
        ),
        "notices": [
            {"method": str(n.get_method_display()), "at": time_text(n.delivered_at)}
            for n in record.notices.all()
        ],
        "items": _items_part(record),
        "party": _party_part(record),
        "signatures": _signatures_part(record),
        "signed_at": time_text(record.signed_at),
    }


def _members_part(members: list[GroupMember]) -> list[dict[str, Any]]:
    """The group's members as the record names them."""
    return [
        {
            "name": m.inspector.name,
            "department": m.department.name,
            "certificate_no": m.inspector.certificate_no,
            "leader": m.is_leader,
        }
        for m in members
    ]


def _items_part(record: JointRecord) -> list[dict[str, Any]]:
    """Each item: who entered what, the results with their labels, the photos."""
    return [
        {
            "id": i.pk,
            "department": i.department.name,
            "code": i.item.code,
            "name": i.item.name,
            "findings": i.findings,
            "results": [
                f"{c.code} {c.label}"
                for c in sorted(i.result_codes.all(), key=lambda c: (c.sort, c.code))
            ],
            "notes": i.notes,
            "entered_by": str(i.entered_by) if i.entered_by_id else "",
            "entered_at": time_text(i.entered_at),
            "photos": [p.pk for p in i.photos.all()],
        }
        for i in record.items.all()
    ]


def _party_part(record: JointRecord) -> dict[str, Any]:
    """The enterprise's signature, or its refusal with the witness."""
    return {
        "name": record.party_name,
        "role": str(record.get_party_role_display()) if record.party_role else "",
        "refused": record.party_refused,
        "refusal_reason": record.refusal_reason,
        "witness_name": record.witness_name,
        "witness_id": record.witness_id_masked,
        "signature": record.party_signature.name if record.party_signature else "",
        "witness_signature": record.witness_signature.name if record.witness_signature else "",
    }


def _signatures_part(record: JointRecord) -> list[dict[str, Any]]:
    """The members' signatures on site."""
    return [
        {
            "name": s.member.inspector.name,
            "department": s.member.department.name,
            "certificate_no": s.member.inspector.certificate_no,
            "image": s.image.name,
            "at": time_text(s.signed_at),
        }
        for s in record.signatures.all()
    ]
