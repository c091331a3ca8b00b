"""Writes of the item catalogue; scope-checked and audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record, model_diff
from spotcheck.catalogue.exchange import CatalogueFileError, read_catalogue, row_unchanged
from spotcheck.catalogue.models import InspectionItem, ResultCode, SubItem
from spotcheck.directory.models import Tag

ITEM_FIELDS = (
    "department",
    "code",
    "name",
    "item_type",
    "legal_basis",
    "methods",
    "entity_types",
    "item_class",
    "ratio_min",
    "ratio_max",
    "frequency",
    "speciality",
    "is_active",
    "notes",
)


def _require_scope(actor: User | None, item: InspectionItem) -> None:
    if actor is None:
        return
    allowed = writable_department_ids(actor)
    if allowed is not None and item.department_id not in allowed:
        raise PermissionDenied("无权修改其他部门的抽查事项")


def _snapshot(item: InspectionItem) -> dict[str, Any]:
    return {
        f: getattr(item, f) if f in ("methods", "entity_types") else str(getattr(item, f))
        for f in ITEM_FIELDS
    }


def _set_sub_items(item: InspectionItem, sub_items: Sequence[str]) -> None:
    lines = [line.strip() for line in sub_items if line.strip()]
    if not lines:
        raise ValidationError({"sub_items": "请至少填写一条检查内容"})
    item.sub_items.all().delete()
    SubItem.objects.bulk_create(
        [SubItem(item=item, order=i, content=line[:255]) for i, line in enumerate(lines, 1)]
    )


def _check_result_codes(result_codes: Sequence[ResultCode]) -> None:
    if not result_codes:
        raise ValidationError({"result_codes": "请至少选择一个检查结果选项"})


@transaction.atomic
def item_create(
    *,
    actor: User | None,
    values: dict[str, Any],
    sub_items: Sequence[str],
    result_codes: Sequence[ResultCode],
    tags: Sequence[Tag] = (),
) -> InspectionItem:
    """Add an item to a department's catalogue."""
    item = InspectionItem(**values)
    _require_scope(actor, item)
    _check_result_codes(result_codes)
    item.full_clean()
    item.save()
    _set_sub_items(item, sub_items)
    item.result_codes.set(result_codes)
    item.tags.set(tags)
    audit_record(
        actor=actor,
        event_type=events.ITEM_CREATED,
        target=item,
        data={
            "after": _snapshot(item),
            "sub_items": [s.strip() for s in sub_items if s.strip()],
            "result_codes": [c.code for c in result_codes],
            "tags": [t.code for t in tags],
        },
    )
    return item


@transaction.atomic
def item_update(
    *,
    actor: User | None,
    item: InspectionItem,
    values: dict[str, Any],
    sub_items: Sequence[str],
    result_codes: Sequence[ResultCode],
    tags: Sequence[Tag] = (),
) -> InspectionItem:
    """Change an item; moving it to another department needs scope over both."""
    _require_scope(actor, item)
    before = _snapshot(item)
    old_sub_items = list(item.sub_items.values_list("content", flat=True))
    for field, value in values.items():
        if field not in ITEM_FIELDS:
            raise ValueError(f"unknown item field {field}")
        setattr(item, field, value)
    _require_scope(actor, item)
    _check_result_codes(result_codes)
    item.full_clean()
    item.save()
    _set_sub_items(item, sub_items)
    item.result_codes.set(result_codes)
    item.tags.set(tags)
    new_sub_items = list(item.sub_items.values_list("content", flat=True))
    audit_record(
        actor=actor,
        event_type=events.ITEM_UPDATED,
        target=item,
        data={
            "changes": model_diff(before, _snapshot(item)),
            "sub_items": [old_sub_items, new_sub_items] if old_sub_items != new_sub_items else None,
            "result_codes": [c.code for c in result_codes],
            "tags": [t.code for t in tags],
        },
    )
    return item


@dataclass(frozen=True)
class CatalogueImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    # rows imported with a remark, e.g. an item code read from a number cell
    warnings: list[str] = dataclass_field(default_factory=list)


@transaction.atomic
def catalogue_import(
    *,
    actor: User | None,
    stream: IO[bytes],
    name: str,
    encoding: str = "",
    dry_run: bool = False,
) -> CatalogueImportResult:
    """Import a catalogue file (XLSX or CSV): every row or none.

    Rows are matched on (抽查主体, 事项编码): new codes are added, known ones updated,
    identical ones left alone.  Any bad row raises ``CatalogueFileError`` with one
    Chinese line per problem, and nothing is written.  ``actor=None`` is the command
    line (all departments).
    """
    writable = writable_department_ids(actor) if actor is not None else None
    rows = read_catalogue(stream, name, encoding=encoding, writable=writable)
    created = updated = unchanged = 0
    for row in rows:
        if row_unchanged(row):
            unchanged += 1
            continue
        kwargs = {
            "actor": actor,
            "values": row.values,
            "sub_items": row.sub_items,
            "result_codes": row.result_codes,
            "tags": row.tags,
        }
        try:
            if row.existing is None:
                item_create(**kwargs)
                created += 1
            else:
                item_update(item=row.existing, **kwargs)
                updated += 1
        except (ValidationError, PermissionDenied) as exc:
            # checked already; a concurrent change can still refuse: report it on its row
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CatalogueFileError([f"第{row.row_no}行：{text}"]) from None
    warnings = [w for row in rows for w in row.warnings]
    result = CatalogueImportResult(created, updated, unchanged, dry_run, warnings)
    audit_record(
        actor=actor,
        event_type=events.CATALOGUE_IMPORTED,
        data={
            "file": name[:200],
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "dry_run": dry_run,
        },
    )
    if dry_run:
        transaction.set_rollback(True)
    return result
