"""Writes of the entries from the phone, by the version rule of ``spotcheck.core.entrymerge``,
and the settlement of the conflicts that rule keeps beside the items."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.catalogue.models import ResultCode
from spotcheck.core import entrymerge, recordflow
from spotcheck.core.errors import DomainError
from spotcheck.core.results import ResultError
from spotcheck.inspections.choices import (
    ConflictSettlement,
    RecordState,
    SubmissionKind,
    VersionKind,
)
from spotcheck.inspections.models import (
    EntryConflict,
    FieldSubmission,
    JointRecord,
    RecordItem,
    RecordVersion,
)
from spotcheck.inspections.selectors.field import result_rules
from spotcheck.inspections.selectors.snapshot import record_snapshot
from spotcheck.inspections.services.base import (
    check_resignature,
    lock_record,
    require_member,
    state_move,
    submission_replayed,
    submission_save,
)


@dataclass(frozen=True)
class ItemEntry:
    """What the phone sends for one item, and the item version it was based on."""

    item_id: int
    findings: str
    codes: tuple[str, ...]
    notes: str
    base_version: int | None = None


@dataclass(frozen=True)
class SaveOutcome:
    """What a submission from the phone did: repeated or applied, and each item's result."""

    duplicate: bool
    record: JointRecord
    version: int
    items: tuple[dict[str, Any], ...] = ()

    @property
    def conflicts(self) -> list[int]:
        """The ids of the conflicts this submission left (its drafts kept beside the items)."""
        return [i["conflict"] for i in self.items if i.get("conflict")]


def _item_entered(item: RecordItem, codes: tuple[str, ...]) -> bool:
    return bool(item.findings.strip()) and bool(codes)


def _item_codes(item: RecordItem) -> tuple[str, ...]:
    return tuple(sorted(c.code for c in item.result_codes.all()))


def _current_of(item: RecordItem) -> dict[str, Any]:
    return {
        "findings": item.findings,
        "codes": list(_item_codes(item)),
        "notes": item.notes,
        "entered_by": item.entered_by_id,
        "entered_by_name": str(item.entered_by) if item.entered_by_id else "",
        "entered_at": item.entered_at.isoformat() if item.entered_at else "",
    }


# (item, what was sent for it, its checked result codes)
Resolved = tuple[RecordItem, ItemEntry, tuple[str, ...]]
# … and what the version rule decided for it
Decided = tuple[RecordItem, ItemEntry, tuple[str, ...], entrymerge.Decision]


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

    Only the items of the inspector's own department may be written.  Each item is written
    by the version rule of ``spotcheck.core.entrymerge``: a write based on an older version
    of an item someone else has changed is not applied but kept as an ``EntryConflict``
    beside it.  On a signed record an applied change is a correction: it needs a reason,
    keeps the previous version, stores the new one and sends the record back to review.
    """
    record = lock_record(record)
    if submission_replayed(
        actor=actor, record=record, submission_id=submission_id, kind=SubmissionKind.ENTRIES
    ):
        return _earlier_outcome(record, submission_id)
    member = require_member(actor, record)
    correction = _correction_asked(record, correction_reason)
    errors: dict[str, list[str]] = {}
    resolved = _check_entries(record, member.department_id, entries, errors)
    _check_times(started_at, ended_at, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    decided = _decide(resolved, actor)
    applied = any(d is entrymerge.Decision.APPLY for *_, d in decided)
    moved = _visit_moved(record, started_at, ended_at, latitude, longitude)
    # on a signed record the times and the place are evidence too: changing them is a
    # correction with its own version, and nothing changes without one
    correction = correction and (applied or moved)
    results = [_write_item(record, actor, now, *d) for d in decided]
    _set_visit(record, started_at, ended_at, latitude, longitude)
    _advance(record, correction=correction)
    if correction:
        _store_correction(record, actor, now, correction_reason)
    submission_save(
        actor=actor,
        record=record,
        submission_id=submission_id,
        kind=SubmissionKind.ENTRIES,
        correction=correction,
        outcome={"items": results},
    )
    _audit_entries(actor, record, submission_id, decided, correction, correction_reason)
    return SaveOutcome(duplicate=False, record=record, version=record.version, items=tuple(results))


def _earlier_outcome(record: JointRecord, submission_id: uuid.UUID) -> SaveOutcome:
    """The answer to a repeated submission: what it did the first time, nothing written."""
    earlier = FieldSubmission.objects.get(client_id=submission_id)
    return SaveOutcome(
        duplicate=True,
        record=record,
        version=record.version,
        items=tuple(earlier.outcome.get("items", [])),
    )


def _correction_asked(record: JointRecord, correction_reason: str) -> bool:
    """Whether a change now is a correction (a signed record); refused without a reason, or
    on a returned record still waiting for the enterprise to sign again."""
    try:
        correction = recordflow.check_change(
            record.state, signed=record.is_frozen, correction_reason=correction_reason
        )
    except DomainError as exc:
        raise ValidationError(str(exc)) from exc
    if correction and record.state == RecordState.RETURNED:
        check_resignature(record)
    return correction


def _check_entries(
    record: JointRecord, department_id: int, entries: list[ItemEntry], errors: dict[str, list[str]]
) -> list[Resolved]:
    """Each entry's item (of the record, of the member's department), its base version and
    its result codes by the national rules; the mistakes a user can fix go to ``errors``."""
    items = {
        i.pk: i
        for i in record.items.select_related("item", "department", "entered_by").prefetch_related(
            "result_codes"
        )
    }
    rules = result_rules()
    resolved: list[Resolved] = []
    for entry in entries:
        item = items.get(entry.item_id)
        if item is None:
            raise ValidationError({"items": "提交的检查事项不属于本记录表"})
        if item.department_id != department_id:
            raise PermissionDenied(
                f"“{item.item.name}”由{item.department.name}录入，"
                "不能录入其他部门的检查事项（谁检查、谁录入）"
            )
        if entry.base_version is not None and not 0 <= entry.base_version <= item.version:
            errors.setdefault("items", []).append(
                f"{item.item.name}：所基于的版本（{entry.base_version}）不存在，"
                f"当前为第{item.version}版，请刷新页面"
            )
        codes: tuple[str, ...] = ()
        if entry.codes:
            allowed = item.item.result_codes.values_list("code", flat=True)
            try:
                codes = rules.check(entry.codes, allowed)
            except ResultError as exc:
                errors.setdefault("items", []).extend(
                    f"{item.item.name}：{m}" for m in exc.messages
                )
        resolved.append((item, entry, codes))
    return resolved


def _check_times(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, errors: dict[str, list[str]]
) -> None:
    """The check's start before its end, and neither later than now in Beijing."""
    if started_at and ended_at and ended_at < started_at:
        errors["ended_at"] = ["检查结束时间不能早于开始时间"]
    # a phone set to a time zone east of Beijing sends a wall-clock time still to come
    beijing_now = timezone.localtime(timezone=timezone.get_default_timezone())
    latest = beijing_now + dt.timedelta(minutes=5)
    for name, value, label in (
        ("started_at", started_at, "检查开始时间"),
        ("ended_at", ended_at, "检查结束时间"),
    ):
        if value is not None and value > latest:
            errors.setdefault(name, []).append(
                f"{label}不能晚于现在（北京时间 {beijing_now:%H:%M}），请核对手机时间"
            )


def _decide(resolved: list[Resolved], actor: User) -> list[Decided]:
    """What the version rule does with each entry: apply it, nothing, or keep it aside."""
    return [
        (
            item,
            entry,
            codes,
            entrymerge.decide(
                current=entrymerge.Content(item.findings, _item_codes(item), item.notes),
                current_version=item.version,
                current_author=item.entered_by_id,
                incoming=entrymerge.Content(entry.findings, codes, entry.notes),
                base_version=entry.base_version,
                author=actor.pk,
            ),
        )
        for item, entry, codes in resolved
    ]


def _visit_moved(
    record: JointRecord,
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
) -> bool:
    """Whether the submission changes the check's times or place."""
    return (
        (started_at is not None and started_at != record.started_at)
        or (ended_at is not None and ended_at != record.ended_at)
        or (
            latitude is not None
            and longitude is not None
            and (latitude, longitude) != (record.latitude, record.longitude)
        )
    )


def _write_item(
    record: JointRecord,
    actor: User,
    now: dt.datetime,
    item: RecordItem,
    entry: ItemEntry,
    codes: tuple[str, ...],
    decision: entrymerge.Decision,
) -> dict[str, Any]:
    """Apply one entry, or keep it as a conflict beside its item; return what became of it."""
    result: dict[str, Any] = {"item": item.pk, "result": str(decision), "conflict": None}
    if decision is entrymerge.Decision.APPLY:
        _apply_entry(item, entry, codes, actor, now)
    elif decision is entrymerge.Decision.CONFLICT:
        result["conflict"] = _keep_conflict(record, item, entry, codes, actor, now).pk
    result["version"] = item.version
    return result


def _apply_entry(
    item: RecordItem, entry: ItemEntry, codes: tuple[str, ...], actor: User, now: dt.datetime
) -> None:
    """Write the entry on its item as the item's next version."""
    item.findings = entry.findings.strip()
    item.notes = entry.notes.strip()
    item.version += 1
    item.full_clean()
    if _item_entered(item, codes):
        item.entered_by = actor
        item.entered_at = now
    else:
        item.entered_by = None
        item.entered_at = None
    item.save(update_fields=["findings", "notes", "entered_by", "entered_at", "version"])
    item.result_codes.set(ResultCode.objects.filter(code__in=codes))


def _keep_conflict(
    record: JointRecord,
    item: RecordItem,
    entry: ItemEntry,
    codes: tuple[str, ...],
    actor: User,
    now: dt.datetime,
) -> EntryConflict:
    """Keep an entry written on a version someone else changed beside its item, audited."""
    conflict = EntryConflict(
        record=record,
        item=item,
        findings=entry.findings.strip(),
        codes=list(codes),
        notes=entry.notes.strip(),
        base_version=-1 if entry.base_version is None else entry.base_version,
        written_by=actor,
        written_at=now,
        correction=record.is_frozen,
        current_version=item.version,
        current=_current_of(item),
    )
    conflict.full_clean()
    conflict.save()
    audit_record(
        actor=actor,
        event_type=events.RECORD_ENTRY_CONFLICT,
        target=record,
        data={
            "conflict": conflict.pk,
            "item": item.item.code,
            "base_version": conflict.base_version,
            "current_version": item.version,
            "current": conflict.current,
            "incoming": {
                "findings": conflict.findings,
                "codes": conflict.codes,
                "notes": conflict.notes,
            },
        },
    )
    return conflict


def _set_visit(
    record: JointRecord,
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
) -> None:
    """Take the check's times and place the phone sent (not saved)."""
    if started_at is not None:
        record.started_at = started_at
    if ended_at is not None:
        record.ended_at = ended_at
    if latitude is not None and longitude is not None:
        record.latitude, record.longitude = latitude, longitude


def _advance(record: JointRecord, *, correction: bool) -> None:
    """Move the record on and save it: 已录入 after its first entry; a correction sends a
    returned record back to review, opens a review round and counts a version."""
    if (
        record.state == RecordState.PENDING
        and record.items.filter(entered_at__isnull=False).exists()
    ):
        state_move(record, RecordState.ENTERED)
    if correction:
        if record.state == RecordState.RETURNED:
            state_move(record, RecordState.SUBMITTED)
        record.review_round += 1
        record.version += 1
    record.full_clean()
    record.save()


def _store_correction(
    record: JointRecord, actor: User, now: dt.datetime, correction_reason: str
) -> None:
    """Keep the corrected record as its new version, with the reason."""
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


def _audit_entries(
    actor: User,
    record: JointRecord,
    submission_id: uuid.UUID,
    decided: list[Decided],
    correction: bool,
    correction_reason: str,
) -> None:
    """Audit the submission: each item's result, and the version a correction made."""
    audit_record(
        actor=actor,
        event_type=events.RECORD_CORRECTED if correction else events.RECORD_ENTRIES_SAVED,
        target=record,
        data={
            "submission": str(submission_id),
            "items": [
                {
                    "item": i.item.code,
                    "codes": list(c),
                    "findings": e.findings,
                    "base_version": e.base_version,
                    "result": str(d),
                    "version": i.version,
                }
                for i, e, c, d in decided
            ],
            "reason": correction_reason.strip(),
            "version": record.version,
            "before_version": record.version - 1 if correction else None,
        },
    )


# the settler's choice → how the conflict is marked settled
_SETTLEMENTS = {
    "current": ConflictSettlement.KEPT_CURRENT,
    "draft": ConflictSettlement.KEPT_DRAFT,
    "merge": ConflictSettlement.MERGED,
}


@transaction.atomic
def entry_conflict_settle(
    *,
    actor: User,
    conflict: EntryConflict,
    choice: str,
    findings: str = "",
    codes: tuple[str, ...] = (),
    notes: str = "",
    correction_reason: str = "",
) -> EntryConflict:
    """An inspector of the item's department settles a conflict.

    ``choice``: ``current`` keeps the entry on the server, ``draft`` applies the conflicting
    one, ``merge`` applies ``findings``/``codes``/``notes`` as edited from both.  Applying is
    an ordinary write based on the current version (a correction on a signed record).
    """
    record = lock_record(conflict.record)
    conflict = EntryConflict.objects.select_related("item__item").get(pk=conflict.pk)
    _check_settler(actor, record, conflict)
    if choice not in _SETTLEMENTS:
        raise ValidationError(
            {"choice": "请选择：保留服务器上的内容、采用冲突的内容或保存合并后的内容"}
        )
    item = RecordItem.objects.get(pk=conflict.item_id)
    if choice != "current":
        if choice == "draft":
            findings, codes, notes = conflict.findings, tuple(conflict.codes), conflict.notes
        chosen = ItemEntry(
            item_id=item.pk,
            findings=findings,
            codes=tuple(codes),
            notes=notes,
            base_version=item.version,
        )
        record = _apply_settled_entry(actor, record, item, chosen, correction_reason)
    conflict.settlement = _SETTLEMENTS[choice]
    conflict.settled_by = actor
    conflict.settled_at = timezone.now()
    conflict.settled_version = item.version
    conflict.full_clean()
    conflict.save()
    audit_record(
        actor=actor,
        event_type=events.RECORD_ENTRY_CONFLICT_SETTLED,
        target=record,
        data={
            "conflict": conflict.pk,
            "item": conflict.item.item.code,
            "settlement": conflict.settlement,
            "version": item.version,
            "reason": correction_reason.strip(),
        },
    )
    return conflict


def _check_settler(actor: User, record: JointRecord, conflict: EntryConflict) -> None:
    """Only a member of the item's department settles, and only an open conflict."""
    member = require_member(actor, record)
    if conflict.item.department_id != member.department_id:
        raise PermissionDenied("只有本事项所属部门的检查人员可以处理该冲突（谁检查、谁录入）")
    if not conflict.is_open:
        raise ValidationError("该冲突已处理，无需重复处理")


def _apply_settled_entry(
    actor: User, record: JointRecord, item: RecordItem, chosen: ItemEntry, correction_reason: str
) -> JointRecord:
    """Write the chosen entry (based on the item's current version) as an ordinary write, a
    correction on a signed record; ``item`` is read again. Return the record as it left it."""
    outcome = record_entries_save(
        actor=actor,
        record=record,
        submission_id=uuid.uuid4(),
        entries=[chosen],
        correction_reason=correction_reason if record.is_frozen else "",
    )
    item.refresh_from_db()
    return outcome.record
