"""Writes of the field work on a joint record (一企一表), every one audited.

notice → entries (autosaved drafts from the phone, idempotent by a client-generated id)
→ photos → signatures (the record is then frozen and submitted for review)
→ corrections with a reason (each a new version) → departments' review → lead confirmation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.catalogue.models import ResultCode
from spotcheck.core import recordflow
from spotcheck.core.errors import DomainError
from spotcheck.core.masking import mask_identifier
from spotcheck.core.results import ResultError
from spotcheck.inspections.choices import (
    NoticeMethod,
    RecordState,
    ReviewDecision,
    SignerRole,
    VersionKind,
)
from spotcheck.inspections.field_selectors import (
    current_reviews,
    lead_can_confirm,
    membership,
    record_snapshot,
    result_rules,
    review_departments,
)
from spotcheck.inspections.images import clean_photo, clean_signature
from spotcheck.inspections.models import (
    DepartmentReview,
    FieldSubmission,
    GroupMember,
    InspectorSignature,
    JointRecord,
    NoticeDelivery,
    RecordItem,
    RecordPhoto,
    RecordVersion,
)


def _lock(record: JointRecord) -> JointRecord:
    return JointRecord.objects.select_for_update().select_related("task").get(pk=record.pk)


def _require_member(actor: User, record: JointRecord) -> GroupMember:
    member = membership(actor, record)
    if member is None:
        raise PermissionDenied("您不是本记录表检查组的成员，不能办理")
    return member


def _move(record: JointRecord, target: str) -> None:
    try:
        recordflow.check_move(record.state, target)
    except DomainError as exc:
        raise ValidationError(str(exc)) from exc
    record.state = target


# --------------------------------------------------------------------------- notice


@transaction.atomic
def record_schedule(
    *, actor: User, record: JointRecord, planned_on: dt.date | None, materials: str
) -> JointRecord:
    """The group sets the check date and the materials the enterprise prepares (一次告知)."""
    record = _lock(record)
    _require_member(actor, record)
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
    record = _lock(record)
    _require_member(actor, record)
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


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class ItemEntry:
    """What the phone sends for one item."""

    item_id: int
    findings: str
    codes: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class SaveOutcome:
    duplicate: bool
    record: JointRecord
    version: int


def _item_entered(item: RecordItem, codes: tuple[str, ...]) -> bool:
    return bool(item.findings.strip()) and bool(codes)


@transaction.atomic
def record_entries_save(
    *,
    actor: User,
    record: JointRecord,
    submission_id: uuid.UUID,
    entries: list[ItemEntry],
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    correction_reason: str = "",
) -> SaveOutcome:
    """Save what the inspector entered on the phone; a repeated ``submission_id`` changes nothing.

    Only the items of the inspector's own department may be written.  On a signed record
    the change is a correction: it needs a reason, keeps the previous version, stores the
    new one and sends the record back to review.
    """
    record = _lock(record)
    if FieldSubmission.objects.filter(client_id=submission_id).exists():
        return SaveOutcome(duplicate=True, record=record, version=record.version)
    member = _require_member(actor, record)
    try:
        correction = recordflow.check_change(
            record.state, signed=record.is_frozen, correction_reason=correction_reason
        )
    except DomainError as exc:
        raise ValidationError(str(exc)) from exc
    items = {i.pk: i for i in record.items.select_related("item", "department")}
    rules = result_rules()
    errors: list[str] = []
    resolved: list[tuple[RecordItem, ItemEntry, tuple[str, ...]]] = []
    for entry in entries:
        item = items.get(entry.item_id)
        if item is None:
            raise ValidationError("提交的检查事项不属于本记录表")
        if item.department_id != member.department_id:
            raise PermissionDenied(
                f"“{item.item.name}”由{item.department.name}录入，"
                "不能录入其他部门的检查事项（谁检查、谁录入）"
            )
        codes: tuple[str, ...] = ()
        if entry.codes:
            allowed = item.item.result_codes.values_list("code", flat=True)
            try:
                codes = rules.check(entry.codes, allowed)
            except ResultError as exc:
                errors.extend(f"{item.item.name}：{m}" for m in exc.messages)
        resolved.append((item, entry, codes))
    if started_at and ended_at and ended_at < started_at:
        errors.append("检查结束时间不能早于开始时间")
    if errors:
        raise ValidationError(errors)
    before = record_snapshot(record) if correction else None
    now = timezone.now()
    for item, entry, codes in resolved:
        item.findings = entry.findings.strip()
        item.notes = entry.notes.strip()
        item.full_clean()
        if _item_entered(item, codes):
            item.entered_by = actor
            item.entered_at = now
        else:
            item.entered_by = None
            item.entered_at = None
        item.save(update_fields=["findings", "notes", "entered_by", "entered_at"])
        item.result_codes.set(ResultCode.objects.filter(code__in=codes))
    if started_at is not None:
        record.started_at = started_at
    if ended_at is not None:
        record.ended_at = ended_at
    if latitude is not None and longitude is not None:
        record.latitude, record.longitude = latitude, longitude
    if (
        record.state == RecordState.PENDING
        and record.items.filter(entered_at__isnull=False).exists()
    ):
        _move(record, RecordState.ENTERED)
    if correction:
        if record.state == RecordState.RETURNED:
            _move(record, RecordState.SUBMITTED)
        record.review_round += 1
        record.version += 1
    record.full_clean()
    record.save()
    if correction:
        version = RecordVersion(
            record=record,
            number=record.version,
            kind=VersionKind.CORRECTION,
            reason=correction_reason.strip(),
            snapshot=record_snapshot(record),
            created_by=actor,
            created_at=now,
        )
        version.full_clean()
        version.save()
    FieldSubmission.objects.create(
        client_id=submission_id, record=record, user=actor, correction=correction
    )
    audit_record(
        actor=actor,
        event_type=events.RECORD_CORRECTED if correction else events.RECORD_ENTRIES_SAVED,
        target=record,
        data={
            "submission": str(submission_id),
            "items": [
                {"item": i.item.code, "codes": list(c), "findings": e.findings}
                for i, e, c in resolved
            ],
            "reason": correction_reason.strip(),
            "version": record.version,
            "before_version": record.version - 1 if before else None,
        },
    )
    return SaveOutcome(duplicate=False, record=record, version=record.version)


# --------------------------------------------------------------------------- photos


@transaction.atomic
def record_photo_add(
    *, actor: User, record: JointRecord, item: RecordItem, data: bytes, client_id: uuid.UUID
) -> tuple[RecordPhoto, bool]:
    """Store a photo of an item (checked by content, re-encoded); a repeated id is ignored.

    Returns the photo and whether it was new.
    """
    record = _lock(record)
    existing = RecordPhoto.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.record_id != record.pk:
            raise ValidationError("照片编号重复，请重新拍摄")
        return existing, False
    member = _require_member(actor, record)
    if item.record_id != record.pk:
        raise ValidationError("照片所属的检查事项不在本记录表中")
    if item.department_id != member.department_id:
        raise PermissionDenied("不能为其他部门的检查事项上传照片（谁检查、谁录入）")
    if record.is_frozen:
        raise ValidationError("记录表已签字确认并冻结，不能再添加照片")
    clean = clean_photo(data)
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
    record = _lock(photo.record)
    member = _require_member(actor, record)
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


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class PartySignoff:
    """The enterprise's side: a signature, or a refusal with its reason and a witness."""

    name: str = ""
    role: str = ""
    signature: str = ""  # data URL of the pad
    refused: bool = False
    refusal_reason: str = ""
    witness_name: str = ""
    witness_id: str = ""
    witness_signature: str = ""


@transaction.atomic
def record_sign(
    *,
    actor: User,
    record: JointRecord,
    submission_id: uuid.UUID,
    party: PartySignoff,
    member_signatures: dict[int, str],
) -> SaveOutcome:
    """Sign the record on site and submit it for review: it is frozen from now on."""
    record = _lock(record)
    if FieldSubmission.objects.filter(client_id=submission_id).exists():
        return SaveOutcome(duplicate=True, record=record, version=record.version)
    _require_member(actor, record)
    if record.is_frozen:
        raise ValidationError("记录表已签字确认并冻结，不能重复签字；如需修改请提交更正")
    missing = [i.item.name for i in record.items.select_related("item") if i.entered_at is None]
    if missing:
        raise ValidationError(
            "以下事项尚未录入完整（主要检查情况和检查结果）：" + "、".join(missing)
        )
    errors: dict[str, list[str]] = {}
    party_png = witness_png = b""
    if party.refused:
        if not party.refusal_reason.strip():
            errors.setdefault("refusal_reason", []).append("拒绝签字的，须如实记录拒签情况")
        if not party.witness_name.strip():
            errors.setdefault("witness_name", []).append("拒绝签字的，须有见证人在场并登记姓名")
        try:
            witness_png = clean_signature(party.witness_signature, label="见证人签名")
        except ValidationError as exc:
            errors.setdefault("witness_signature", []).extend(exc.messages)
    else:
        if not party.name.strip():
            errors.setdefault("party_name", []).append("请填写签字人姓名")
        if party.role not in SignerRole.values:
            errors.setdefault("party_role", []).append("请选择签字人身份")
        try:
            party_png = clean_signature(party.signature, label="检查对象签名")
        except ValidationError as exc:
            errors.setdefault("party_signature", []).extend(exc.messages)
    members = list(GroupMember.objects.filter(group_id=record.group_id).select_related("inspector"))
    member_pngs: dict[int, bytes] = {}
    for m in members:
        try:
            member_pngs[m.pk] = clean_signature(
                member_signatures.get(m.pk, ""), label=f"检查人员{m.inspector.name}的签名"
            )
        except ValidationError as exc:
            errors.setdefault("members", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    stamp = now.strftime("%Y%m%d%H%M%S")
    record.party_refused = party.refused
    if party.refused:
        record.party_name = ""
        record.party_role = ""
        record.refusal_reason = party.refusal_reason.strip()
        record.witness_name = party.witness_name.strip()
        witness_id = party.witness_id.strip()
        # a full ID number is never stored: keep the first and last four characters
        record.witness_id_masked = (
            mask_identifier(witness_id) if len(witness_id) > 8 else witness_id
        )
        record.witness_signature.save(
            f"{record.pk}-witness-{stamp}.png", ContentFile(witness_png), save=False
        )
    else:
        record.party_name = party.name.strip()
        record.party_role = party.role
        record.party_signature.save(
            f"{record.pk}-party-{stamp}.png", ContentFile(party_png), save=False
        )
    for m in members:
        sig = InspectorSignature(record=record, member=m, signed_at=now)
        sig.image.save(
            f"{record.pk}-{m.pk}-{stamp}.png", ContentFile(member_pngs[m.pk]), save=False
        )
        sig.full_clean()
        sig.save()
    if record.started_at is None:
        # not set on the phone: the first entry that reached the server
        first = record.submissions.order_by("received_at").first()
        record.started_at = first.received_at if first else now
    if record.ended_at is None:
        record.ended_at = now
    record.signed_at = now
    record.signed_by = actor
    _move(record, RecordState.SUBMITTED)
    record.review_round += 1
    record.version = 1
    record.full_clean()
    record.save()
    version = RecordVersion(
        record=record,
        number=1,
        kind=VersionKind.SIGNED,
        snapshot=record_snapshot(record),
        created_by=actor,
        created_at=now,
    )
    version.full_clean()
    version.save()
    FieldSubmission.objects.create(client_id=submission_id, record=record, user=actor)
    audit_record(
        actor=actor,
        event_type=events.RECORD_SIGNED,
        target=record,
        data={
            "submission": str(submission_id),
            "refused": party.refused,
            "members": [m.inspector.name for m in members],
        },
    )
    return SaveOutcome(duplicate=False, record=record, version=1)


# --------------------------------------------------------------------------- review


@transaction.atomic
def record_review(
    *, actor: User, record: JointRecord, decision: str, comment: str = ""
) -> list[DepartmentReview]:
    """A department admin approves or returns its department's items of a submitted record."""
    record = _lock(record)
    if record.state != RecordState.SUBMITTED:
        raise ValidationError("只有待审核的记录表可以审核")
    departments = review_departments(actor, record)
    if not departments:
        raise PermissionDenied("本记录表没有需要您所在部门审核的事项")
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": "请选择通过或退回"})
    if decision == ReviewDecision.RETURNED and not comment.strip():
        raise ValidationError({"comment": "退回须写明审核意见，告知检查人员如何修改"})
    done = current_reviews(record)
    todo = [d for d in departments if d not in done]
    if not todo:
        raise ValidationError("本轮已审核，无需重复审核")
    now = timezone.now()
    rows = []
    for department_id in todo:
        review = DepartmentReview(
            record=record,
            department_id=department_id,
            review_round=record.review_round,
            decision=decision,
            comment=comment.strip(),
            reviewed_by=actor,
            reviewed_at=now,
        )
        review.full_clean()
        review.save()
        rows.append(review)
    if decision == ReviewDecision.RETURNED:
        _move(record, RecordState.RETURNED)
    else:
        needed = {i.department_id for i in record.items.all()}
        approved = {
            d for d, r in current_reviews(record).items() if r.decision == ReviewDecision.APPROVED
        }
        if needed <= approved:
            _move(record, RecordState.APPROVED)
    record.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        event_type=events.RECORD_REVIEWED,
        target=record,
        data={
            "decision": decision,
            "comment": comment.strip(),
            "departments": todo,
            "round": record.review_round,
            "state": record.state,
        },
    )
    if record.state == RecordState.APPROVED:
        _on_approved(actor=actor, record=record)
    return rows


def _on_approved(*, actor: User, record: JointRecord) -> None:
    """An approved record's results are final: publish them (一公开) and open a
    follow-up case (后续处置) for every item whose result needs one, in the same
    transaction as the approval, so either all of it happens or none."""
    # Imported here: both apps read this app's models at import time.
    from spotcheck.followup.services import cases_open_for_record
    from spotcheck.publicity.services import publish_on_approval

    publish_on_approval(actor=actor, record=record)
    cases_open_for_record(actor=actor, record=record)


@transaction.atomic
def record_lead_confirm(*, actor: User, record: JointRecord) -> JointRecord:
    """The lead department confirms the approved joint record as a whole."""
    record = _lock(record)
    if record.lead_confirmed_at is not None:
        raise ValidationError("牵头部门已确认本记录表，无需重复确认")
    if record.state != RecordState.APPROVED:
        raise ValidationError("各部门审核通过后，牵头部门才能确认")
    if not lead_can_confirm(actor, record):
        raise PermissionDenied("只有牵头部门可以确认联合检查记录表")
    record.lead_confirmed_at = timezone.now()
    record.lead_confirmed_by = actor
    record.full_clean()
    record.save(update_fields=["lead_confirmed_at", "lead_confirmed_by", "updated_at"])
    audit_record(actor=actor, event_type=events.RECORD_LEAD_CONFIRMED, target=record)
    return record
