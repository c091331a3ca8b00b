"""Writes of the directories; every write checks scope and leaves an audit record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record, model_diff
from spotcheck.core.masking import mask_identifier, mask_phone, phone_error
from spotcheck.directory.models import (
    Avoidance,
    Entity,
    EntityRiskHistory,
    Inspector,
    ItemType,
    Speciality,
    Tag,
)

ENTITY_FIELDS = (
    "uscc",
    "uscc_override_reason",
    "reg_no",
    "name",
    "entity_type",
    "enterprise_type_code",
    "legal_rep_name",
    "legal_rep_id_type",
    "legal_rep_phone",
    "liaison_name",
    "liaison_phone",
    "address",
    "region",
    "business_address",
    "reg_authority_code",
    "reg_authority_name",
    "jurisdiction_unit",
    "industry_code",
    "licences",
    "established_on",
    "reg_capital",
    "reg_status",
    "risk_class",
    "risk_source",
    "risk_as_of",
    "on_abnormal_list",
    "on_serious_illegal_list",
)
INSPECTOR_FIELDS = (
    "name",
    "gender",
    "phone",
    "department",
    "unit",
    "post",
    "category",
    "certificate_no",
    "certificate_authority",
    "certificate_valid_from",
    "certificate_valid_until",
    "status",
    "is_expert",
    "expert_field",
    "expert_org",
    "user",
)


def _require_departments(actor: User | None, departments: Iterable[Department]) -> None:
    """Refuse a write that touches a department outside the actor's scope."""
    if actor is None:  # system writes: demo load, command-line maintenance
        return
    allowed = writable_department_ids(actor)
    if allowed is None:
        return
    if not allowed:
        raise PermissionDenied("无权修改名录库")
    outside = [d.name for d in departments if d.pk not in allowed]
    if outside:
        raise PermissionDenied(f"无权修改以下部门的记录：{'、'.join(outside)}")


# stored in full for the people who call them; masked in the audit trail (docs/access.md)
PHONE_FIELDS = frozenset({"legal_rep_phone", "liaison_phone", "phone"})


def _snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {
        f: mask_phone(getattr(obj, f)) if f in PHONE_FIELDS else _plain(getattr(obj, f))
        for f in fields
    }


def _refuse_masked_phones(current: Any | None, values: dict[str, Any]) -> None:
    """Refuse a phone number given already masked; one kept unchanged is not checked again."""
    errors = {}
    for field in PHONE_FIELDS & set(values):
        value = values[field] or ""
        if current is not None and getattr(current, field) == value:
            continue
        message = phone_error(value)
        if message:
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)


def _phones_of(obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in PHONE_FIELDS if hasattr(obj, f)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def _apply(obj: Any, fields: Sequence[str], values: dict[str, Any]) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for field, value in values.items():
        setattr(obj, field, value)


@transaction.atomic
def entity_create(
    *,
    actor: User | None,
    values: dict[str, Any],
    supervising_departments: Sequence[Department],
    tags: Sequence[Tag] = (),
    legal_rep_id_number: str = "",
) -> Entity:
    """Create an inspection object; the ID number is stored masked only."""
    if not supervising_departments:
        raise ValidationError({"supervising_departments": "至少选择一个监管部门"})
    _require_departments(actor, supervising_departments)
    _refuse_masked_phones(None, values)
    entity = Entity()
    _apply(entity, ENTITY_FIELDS, values)
    if legal_rep_id_number:
        entity.legal_rep_id_masked = mask_identifier(legal_rep_id_number)
    entity.full_clean()
    entity.save()
    entity.supervising_departments.set(supervising_departments)
    entity.tags.set(tags)
    if entity.risk_class:
        _record_risk_change(actor, entity, old_class="")
    audit_record(
        actor=actor,
        event_type=events.ENTITY_CREATED,
        target=entity,
        data={
            "after": _snapshot(entity, ENTITY_FIELDS),
            "departments": [d.name for d in supervising_departments],
            "tags": [t.code for t in tags],
        },
    )
    return entity


@transaction.atomic
def entity_update(
    *,
    actor: User | None,
    entity: Entity,
    values: dict[str, Any],
    supervising_departments: Sequence[Department] | None = None,
    tags: Sequence[Tag] | None = None,
    legal_rep_id_number: str = "",
) -> Entity:
    """Change an inspection object; a new risk class is kept in its history."""
    current = list(entity.supervising_departments.all())
    _require_any_department(actor, current)
    if supervising_departments is not None:
        if not supervising_departments:
            raise ValidationError({"supervising_departments": "至少选择一个监管部门"})
        added = [d for d in supervising_departments if d not in current]
        removed = [d for d in current if d not in supervising_departments]
        _require_departments(actor, added + removed)
    before = _snapshot(entity, ENTITY_FIELDS)
    old_class = entity.risk_class
    _refuse_masked_phones(entity, values)
    _apply(entity, ENTITY_FIELDS, values)
    if legal_rep_id_number:
        entity.legal_rep_id_masked = mask_identifier(legal_rep_id_number)
    entity.full_clean()
    entity.save()
    data: dict[str, Any] = {"changes": model_diff(before, _snapshot(entity, ENTITY_FIELDS))}
    if supervising_departments is not None:
        entity.supervising_departments.set(supervising_departments)
        data["departments"] = [d.name for d in supervising_departments]
    if tags is not None:
        entity.tags.set(tags)
        data["tags"] = [t.code for t in tags]
    if legal_rep_id_number:
        data["legal_rep_id_changed"] = True
    if entity.risk_class != old_class:
        _record_risk_change(actor, entity, old_class=old_class)
    audit_record(actor=actor, event_type=events.ENTITY_UPDATED, target=entity, data=data)
    return entity


def _require_any_department(actor: User | None, departments: Sequence[Department]) -> None:
    """Refuse a change to a record none of whose departments is in the actor's scope."""
    if actor is None:
        return
    allowed = writable_department_ids(actor)
    if allowed is None:
        return
    if not any(d.pk in allowed for d in departments):
        raise PermissionDenied("无权修改该记录")


def _record_risk_change(actor: User | None, entity: Entity, *, old_class: str) -> None:
    EntityRiskHistory.objects.create(
        entity=entity,
        old_class=old_class,
        new_class=entity.risk_class,
        source=entity.risk_source,
        as_of=entity.risk_as_of,
        changed_by=actor,
    )
    audit_record(
        actor=actor,
        event_type=events.ENTITY_RISK_CHANGED,
        target=entity,
        data={
            "old": old_class,
            "new": entity.risk_class,
            "source": entity.risk_source,
            "as_of": str(entity.risk_as_of),
        },
    )


@transaction.atomic
def entity_bulk_create(
    *,
    actor: User | None,
    rows: Sequence[tuple[Entity, Sequence[Department], Sequence[Tag]]],
    batch_size: int = 500,
) -> int:
    """Insert many validated entities at once (directory loads); one audit record."""
    departments = {d.pk: d for _, deps, _ in rows for d in deps}
    _require_departments(actor, list(departments.values()))
    entities = []
    for entity, _deps, _tags in rows:
        _refuse_masked_phones(None, _phones_of(entity))
        entity.full_clean(validate_unique=False)
        entities.append(entity)
    Entity.objects.bulk_create(entities, batch_size=batch_size)
    # SQLite and PostgreSQL both return primary keys from bulk_create.
    dept_links = []
    tag_links = []
    history = []
    for entity, deps, tags in rows:
        dept_links += [
            Entity.supervising_departments.through(entity_id=entity.pk, department_id=d.pk)
            for d in deps
        ]
        tag_links += [Entity.tags.through(entity_id=entity.pk, tag_id=t.pk) for t in tags]
        if entity.risk_class:
            history.append(
                EntityRiskHistory(
                    entity=entity,
                    new_class=entity.risk_class,
                    source=entity.risk_source,
                    as_of=entity.risk_as_of,
                    changed_by=actor,
                )
            )
    Entity.supervising_departments.through.objects.bulk_create(dept_links, batch_size=batch_size)
    Entity.tags.through.objects.bulk_create(tag_links, batch_size=batch_size)
    EntityRiskHistory.objects.bulk_create(history, batch_size=batch_size)
    audit_record(
        actor=actor,
        event_type=events.ENTITIES_BULK_CREATED,
        data={"count": len(entities), "departments": sorted(d.name for d in departments.values())},
    )
    return len(entities)


@transaction.atomic
def inspector_create(
    *,
    actor: User | None,
    values: dict[str, Any],
    specialities: Sequence[Speciality] = (),
    item_types: Sequence[ItemType] = (),
    id_number: str = "",
) -> Inspector:
    """Add an inspector to the directory of their department."""
    _refuse_masked_phones(None, values)
    inspector = Inspector()
    _apply(inspector, INSPECTOR_FIELDS, values)
    _require_departments(actor, [inspector.department])
    if id_number:
        inspector.id_masked = mask_identifier(id_number)
    inspector.full_clean()
    inspector.save()
    inspector.specialities.set(specialities)
    inspector.qualified_item_types.set(item_types)
    audit_record(
        actor=actor,
        event_type=events.INSPECTOR_CREATED,
        target=inspector,
        data={
            "after": _snapshot(inspector, INSPECTOR_FIELDS),
            "specialities": [s.code for s in specialities],
            "item_types": [t.code for t in item_types],
        },
    )
    return inspector


@transaction.atomic
def inspector_update(
    *,
    actor: User | None,
    inspector: Inspector,
    values: dict[str, Any],
    specialities: Sequence[Speciality] | None = None,
    item_types: Sequence[ItemType] | None = None,
    id_number: str = "",
) -> Inspector:
    """Change an inspector's record; moving them needs scope over both departments."""
    departments = [inspector.department]
    before = _snapshot(inspector, INSPECTOR_FIELDS)
    _refuse_masked_phones(inspector, values)
    _apply(inspector, INSPECTOR_FIELDS, values)
    if inspector.department_id != departments[0].pk:
        departments.append(inspector.department)
    _require_departments(actor, departments)
    if id_number:
        inspector.id_masked = mask_identifier(id_number)
    inspector.full_clean()
    inspector.save()
    data: dict[str, Any] = {"changes": model_diff(before, _snapshot(inspector, INSPECTOR_FIELDS))}
    if specialities is not None:
        inspector.specialities.set(specialities)
        data["specialities"] = [s.code for s in specialities]
    if item_types is not None:
        inspector.qualified_item_types.set(item_types)
        data["item_types"] = [t.code for t in item_types]
    audit_record(actor=actor, event_type=events.INSPECTOR_UPDATED, target=inspector, data=data)
    return inspector


@transaction.atomic
def inspector_bulk_create(
    *,
    actor: User | None,
    rows: Sequence[tuple[Inspector, Sequence[Speciality], Sequence[ItemType]]],
) -> int:
    """Insert many validated inspectors at once; one audit record."""
    _require_departments(actor, list({i.department for i, _, _ in rows}))
    for inspector, _s, _t in rows:
        _refuse_masked_phones(None, _phones_of(inspector))
        inspector.full_clean(validate_unique=False)
    Inspector.objects.bulk_create([i for i, _, _ in rows])
    Inspector.specialities.through.objects.bulk_create(
        [
            Inspector.specialities.through(inspector_id=i.pk, speciality_id=s.pk)
            for i, specs, _ in rows
            for s in specs
        ]
    )
    Inspector.qualified_item_types.through.objects.bulk_create(
        [
            Inspector.qualified_item_types.through(inspector_id=i.pk, itemtype_id=t.pk)
            for i, _, types in rows
            for t in types
        ]
    )
    audit_record(actor=actor, event_type=events.INSPECTORS_BULK_CREATED, data={"count": len(rows)})
    return len(rows)


@transaction.atomic
def avoidance_add(
    *,
    actor: User | None,
    inspector: Inspector,
    entity: Entity,
    reason_type: str,
    reason: str,
) -> Avoidance:
    """Declare that an inspector must not check an entity (回避)."""
    _require_departments(actor, [inspector.department])
    avoidance = Avoidance(
        inspector=inspector,
        entity=entity,
        reason_type=reason_type,
        reason=reason,
        declared_by=actor,
    )
    avoidance.full_clean()
    avoidance.save()
    audit_record(
        actor=actor,
        event_type=events.AVOIDANCE_ADDED,
        target=inspector,
        data={"entity": entity.code, "reason_type": reason_type, "reason": reason},
    )
    return avoidance


@transaction.atomic
def avoidance_remove(*, actor: User | None, avoidance: Avoidance, reason: str) -> None:
    """Withdraw a 回避 relation; the reason is kept in the audit trail."""
    if not reason.strip():
        raise ValidationError({"reason": "撤销回避关系须说明理由"})
    _require_departments(actor, [avoidance.inspector.department])
    audit_record(
        actor=actor,
        event_type=events.AVOIDANCE_REMOVED,
        target=avoidance.inspector,
        data={"entity": avoidance.entity.code, "reason": reason},
    )
    avoidance.delete()


def directory_export_record(*, actor: User, kind: str, fmt: str, count: int, query: str) -> None:
    """Record that someone exported a directory list (exports leave a trace)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=events.DIRECTORY_EXPORTED,
            data={"kind": kind, "format": fmt, "count": count, "query": query},
        )
