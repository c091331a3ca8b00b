"""Writes of the photos of an item: checked by content, re-encoded, never on a frozen record."""

from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.inspections.images import clean_photo
from spotcheck.inspections.models import JointRecord, RecordItem, RecordPhoto
from spotcheck.inspections.services.base import lock_record, require_member


@transaction.atomic
def record_photo_add(
    *, actor: User, record: JointRecord, item: RecordItem, data: bytes, client_id: uuid.UUID
) -> tuple[RecordPhoto, bool]:
    """Store a photo of an item (checked by content, re-encoded); a repeated id is ignored.

    Returns the photo and whether it was new.
    """
    record = lock_record(record)
    existing = RecordPhoto.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.record_id != record.pk or existing.uploaded_by_id != actor.pk:
            raise ValidationError({"client_id": "照片编号重复，请重新拍摄"})
        return existing, False
    member = require_member(actor, record)
    if item.record_id != record.pk:
        raise ValidationError("照片所属的检查事项不在本记录表中")
    if item.department_id != member.department_id:
        raise PermissionDenied("不能为其他部门的检查事项上传照片（谁检查、谁录入）")
    if record.is_frozen:
        raise ValidationError("记录表已签字确认并冻结，不能再添加照片")
    try:
        clean = clean_photo(data)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    photo = RecordPhoto(
        record=record,
        item=item,
        width=clean.width,
        height=clean.height,
        size=len(clean.content),
        sha256=hashlib.sha256(clean.content).hexdigest(),
        client_id=client_id,
        uploaded_by=actor,
    )
    photo.image.save(f"{client_id}.jpg", ContentFile(clean.content), save=False)
    photo.full_clean()
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        photo.image.delete(save=False)
        return RecordPhoto.objects.get(client_id=client_id), False
    audit_record(
        actor=actor,
        event_type=events.RECORD_PHOTO_ADDED,
        target=record,
        data={"item": item.item.code, "photo": photo.pk, "sha256": photo.sha256},
    )
    return photo, True


@transaction.atomic
def record_photo_delete(*, actor: User, photo: RecordPhoto) -> None:
    """Delete a photo of one's own department's item before the record is signed."""
    record = lock_record(photo.record)
    member = require_member(actor, record)
    if photo.item.department_id != member.department_id:
        raise PermissionDenied("不能删除其他部门的照片")
    if record.is_frozen:
        raise ValidationError("记录表已签字确认并冻结，照片不能删除")
    audit_record(
        actor=actor,
        event_type=events.RECORD_PHOTO_DELETED,
        target=record,
        data={"photo": photo.pk, "sha256": photo.sha256},
    )
    photo.image.delete(save=False)
    photo.delete()
