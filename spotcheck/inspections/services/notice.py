"""Writes before the visit: the check date, the materials to prepare and the notice."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.inspections.choices import NoticeMethod
from spotcheck.inspections.models import JointRecord, NoticeDelivery
from spotcheck.inspections.services.base import lock_record, require_member


@transaction.atomic
def record_schedule(
    *, actor: User, record: JointRecord, planned_on: dt.date | None, materials: str
) -> JointRecord:
    """The group sets the check date and the materials the enterprise prepares (一次告知)."""
    record = lock_record(record)
    require_member(actor, record)
    if record.is_frozen:
        raise ValidationError("记录表已签字确认，不能再修改检查安排")
    before = {"planned_on": str(record.planned_on or ""), "materials": record.materials}
    record.planned_on = planned_on
    record.materials = "\n".join(line.strip() for line in materials.splitlines() if line.strip())
    record.full_clean()
    record.save(update_fields=["planned_on", "materials", "updated_at"])
    audit_record(
        actor=actor,
        event_type=events.RECORD_SCHEDULED,
        target=record,
        data={"before": before, "planned_on": str(planned_on or ""), "materials": record.materials},
    )
    return record


@transaction.atomic
def notice_delivery_record(
    *, actor: User, record: JointRecord, method: str, delivered_at: dt.datetime, note: str = ""
) -> NoticeDelivery:
    """Record how (电话/书面/短信) and when the enterprise was notified."""
    record = lock_record(record)
    require_member(actor, record)
    if method not in NoticeMethod.values:
        raise ValidationError({"method": "请选择告知方式：电话、书面或短信"})
    if delivered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"delivered_at": "告知时间不能晚于现在"})
    delivery = NoticeDelivery(
        record=record, method=method, delivered_at=delivered_at, note=note, recorded_by=actor
    )
    delivery.full_clean()
    delivery.save()
    audit_record(
        actor=actor,
        event_type=events.RECORD_NOTICE_DELIVERED,
        target=record,
        data={"method": method, "delivered_at": delivered_at.isoformat(), "note": note},
    )
    return delivery
