"""Writes of the signatures: the record signed on site (then frozen and submitted for review)
and the enterprise's signature again when a return asks for it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.core.masking import mask_identifier
from spotcheck.inspections.choices import RecordState, SignerRole, SubmissionKind, VersionKind
from spotcheck.inspections.images import clean_signature
from spotcheck.inspections.models import (
    EntryConflict,
    GroupMember,
    InspectorSignature,
    JointRecord,
    RecordVersion,
)
from spotcheck.inspections.selectors.review import resignature_requests
from spotcheck.inspections.selectors.snapshot import record_snapshot
from spotcheck.inspections.services.base import (
    lock_record,
    require_member,
    state_move,
    submission_replayed,
    submission_save,
)
from spotcheck.inspections.services.entries import SaveOutcome


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


def _clean_party(party: PartySignoff, errors: dict[str, list[str]]) -> tuple[bytes, bytes]:
    """Check the enterprise's side; return the PNGs of its signature and of the witness's."""
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
    return party_png, witness_png


def _apply_party(
    record: JointRecord, party: PartySignoff, party_png: bytes, witness_png: bytes, stamp: str
) -> None:
    """Store the enterprise's signature, or its refusal with the witness, on the record."""
    record.party_refused = party.refused
    if party.refused:
        record.party_name = ""
        record.party_role = ""
        record.party_signature = ""  # type: ignore[assignment]
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
        record.refusal_reason = ""
        record.witness_name = ""
        record.witness_id_masked = ""
        record.witness_signature = ""  # type: ignore[assignment]
        record.party_signature.save(
            f"{record.pk}-party-{stamp}.png", ContentFile(party_png), save=False
        )


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
    record = lock_record(record)
    if submission_replayed(
        actor=actor, record=record, submission_id=submission_id, kind=SubmissionKind.SIGN
    ):
        return SaveOutcome(duplicate=True, record=record, version=record.version)
    require_member(actor, record)
    _check_signable(record)
    members = list(GroupMember.objects.filter(group_id=record.group_id).select_related("inspector"))
    party_png, witness_png, member_pngs = _check_signatures(party, members, member_signatures)
    now = timezone.now()
    _store_signatures(record, party, party_png, witness_png, members, member_pngs, now)
    _freeze_and_version(record, actor, now)
    submission_save(
        actor=actor, record=record, submission_id=submission_id, kind=SubmissionKind.SIGN
    )
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


def _check_signable(record: JointRecord) -> None:
    """Signed once only, with no conflict left open and every item entered."""
    if record.is_frozen:
        raise ValidationError("记录表已签字确认并冻结，不能重复签字；如需修改请提交更正")
    open_conflicts = [
        c.item.item.name
        for c in EntryConflict.objects.filter(record=record, settled_at__isnull=True)
        .select_related("item__item")
        .order_by("pk")
    ]
    if open_conflicts:
        raise ValidationError(
            "以下事项有未处理的录入冲突，处理后才能签字确认："
            + "、".join(dict.fromkeys(open_conflicts))
        )
    missing = [i.item.name for i in record.items.select_related("item") if i.entered_at is None]
    if missing:
        raise ValidationError(
            "以下事项尚未录入完整（主要检查情况和检查结果）：" + "、".join(missing)
        )


def _check_signatures(
    party: PartySignoff, members: list[GroupMember], member_signatures: dict[int, str]
) -> tuple[bytes, bytes, dict[int, bytes]]:
    """The enterprise's side and every member's signature, all refused together if any is
    wrong; return the PNGs of the party, of the witness and of each member."""
    errors: dict[str, list[str]] = {}
    party_png, witness_png = _clean_party(party, errors)
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
    return party_png, witness_png, member_pngs


def _store_signatures(
    record: JointRecord,
    party: PartySignoff,
    party_png: bytes,
    witness_png: bytes,
    members: list[GroupMember],
    member_pngs: dict[int, bytes],
    now: dt.datetime,
) -> None:
    """Store the enterprise's side on the record and each member's signature image."""
    stamp = now.strftime("%Y%m%d%H%M%S")
    _apply_party(record, party, party_png, witness_png, stamp)
    record.party_signed_at = now
    for m in members:
        sig = InspectorSignature(record=record, member=m, signed_at=now)
        sig.image.save(
            f"{record.pk}-{m.pk}-{stamp}.png", ContentFile(member_pngs[m.pk]), save=False
        )
        sig.full_clean()
        sig.save()


def _freeze_and_version(record: JointRecord, actor: User, now: dt.datetime) -> None:
    """Complete the check's times, freeze the record, submit it for review and keep the
    signed record as its version 1."""
    if record.started_at is None:
        # not set on the phone: the first entry that reached the server
        first = record.submissions.order_by("received_at").first()
        record.started_at = first.received_at if first else now
    if record.ended_at is None:
        record.ended_at = now
    record.signed_at = now
    record.signed_by = actor
    state_move(record, RecordState.SUBMITTED)
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


@transaction.atomic
def record_party_resign(*, actor: User, record: JointRecord, party: PartySignoff) -> JointRecord:
    """The enterprise signs the returned record again (or its refusal is recorded with a
    witness), as the reviewer asked; the earlier signature stays in the signed version."""
    record = lock_record(record)
    require_member(actor, record)
    if not resignature_requests(record):
        raise ValidationError("审核退回时没有要求检查对象重新签字，无需重新签字")
    errors: dict[str, list[str]] = {}
    party_png, witness_png = _clean_party(party, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    _apply_party(record, party, party_png, witness_png, now.strftime("%Y%m%d%H%M%S"))
    record.party_signed_at = now
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        event_type=events.RECORD_PARTY_RESIGNED,
        target=record,
        data={
            "refused": party.refused,
            "signer": record.party_name,
            "witness": record.witness_name,
            "round": record.review_round,
        },
    )
    return record
