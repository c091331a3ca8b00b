"""Generate the groups and the 一企一表 records of a task from its final matching.

Seed plan §三(三): "被检查对象和检查人员确定后，由平台随机匹配，自动生成一企一表".  The
matching itself is DRAW-v1.1 (docs/draw-spec.md §10.1), computed and stored by
``spotcheck.draws.matching.draw_match``; this service turns it into rows, all at once:

- one 检查组 per matched group, numbered in processing order, seat 0 leads;
- one joint record per final entity, numbered "<task number>-0001" … in processing
  order, carrying one row per participating department's item that applies to the
  entity (by the catalogue's entity types and tags), and the items for which the
  department must send a specialist (需专业人员协助);
- an entity the matching could not serve gets its record without a group, so it is
  never dropped silently;
- the task moves 编组中 → 已匹配 through the task transition service.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import task_transition
from spotcheck.catalogue.models import InspectionItem
from spotcheck.core.draw.final import FinalMatching
from spotcheck.directory.models import Entity, Inspector, ItemType
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem


def item_applies(item: InspectionItem, entity: Entity, entity_tags: set[int]) -> bool:
    """An item applies to an entity of one of its entity types, carrying one of its tags
    when it names any (the rule the draw's frame was built with)."""
    item_tags = {t.pk for t in item.tags.all()}
    return entity.entity_type in item.entity_types and (
        not item_tags or bool(item_tags & entity_tags)
    )


def _entities(codes: Iterable[str]) -> dict[str, Entity]:
    codes = list(codes)
    found = Entity.objects.filter(uscc__in=codes) | Entity.objects.filter(reg_no__in=codes)
    return {e.uscc or e.reg_no: e for e in found.prefetch_related("tags")}


@transaction.atomic
def records_generate(*, actor: User, task: Task, final: FinalMatching) -> list[JointRecord]:
    """Create the task's groups and one joint record per final entity; move to 已匹配."""
    task = _lock_for_generation(task)
    entities = _entities(final.order)
    unknown = [e for e in final.order if e not in entities]
    if unknown:
        raise ValidationError(f"以下检查对象不在对象名录中：{'、'.join(unknown[:5])}")
    participants = list(
        task.participants.select_related("department").prefetch_related(
            "items__tags", "items__department"
        )
    )
    items = [i for p in participants for i in p.items.all()]
    inspectors = _inspectors_of(final)
    type_names = dict(ItemType.objects.values_list("code", "name"))
    groups = _create_groups(task, final, inspectors)
    specialists = _specialists_of(final, type_names)
    records, rows = _build_records(task, final, entities, items, groups, specialists)
    JointRecord.objects.bulk_create(records)  # the unique constraints hold in the database
    record_items = _create_record_items(task, records, rows)
    audit_record(
        actor=actor,
        event_type=events.RECORDS_GENERATED,
        target=task,
        data={
            "groups": len(groups),
            "records": len(records),
            "record_items": record_items,
            "without_group": [r.entity.uscc or r.entity.reg_no for r in records if r.group is None],
            "specialist_needed": sum(len(v) for v in specialists.values()),
        },
    )
    task_transition(
        actor=actor,
        task=task,
        to=TaskState.MATCHED,
        step="match",
        note=f"生成一企一表{len(records)}份",
    )
    return list(JointRecord.objects.filter(task=task).order_by("number"))


def _lock_for_generation(task: Task) -> Task:
    """The task again, locked; refused unless it is 编组中 and has no records yet."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state != TaskState.GROUPING:
        raise ValidationError("只有“编组中”的任务可以生成一企一表")
    if JointRecord.objects.filter(task=task).exists():
        raise ValidationError("本任务已生成一企一表，不会重复生成")
    return task


def _inspectors_of(final: FinalMatching) -> dict[str, Inspector]:
    """The matched inspectors by certificate number; refused if one left the directory."""
    certificates = {m.certificate_no for g in final.matching.groups for m in g.members}
    inspectors = {
        i.certificate_no: i
        for i in Inspector.objects.filter(certificate_no__in=certificates).select_related(
            "department"
        )
    }
    missing = certificates - set(inspectors)
    if missing:
        raise ValidationError(f"以下执法证号不在执法人员名录中：{'、'.join(sorted(missing))}")
    return inspectors


def _create_groups(
    task: Task, final: FinalMatching, inspectors: dict[str, Inspector]
) -> dict[str, InspectionGroup]:
    """One 检查组 per matched group, numbered in processing order, seat 0 leading; by entity."""
    groups: dict[str, InspectionGroup] = {}
    for number, matched in enumerate(final.matching.groups, 1):
        group = InspectionGroup(task=task, number=number)
        group.full_clean()
        group.save()
        for member in matched.members:
            inspector = inspectors[member.certificate_no]
            row = GroupMember(
                group=group,
                inspector=inspector,
                department=inspector.department,
                is_leader=member.slot == 0,
            )
            row.full_clean()
            row.save()
        groups[matched.entity_id] = group
    return groups


def _specialists_of(
    final: FinalMatching, type_names: dict[str, str]
) -> dict[str, list[dict[str, str]]]:
    """The 需专业人员协助 notes of each entity."""
    specialists: dict[str, list[dict[str, str]]] = {}
    for s in final.matching.specialists:
        specialists.setdefault(s.entity_id, []).append(
            {
                "department": s.department,
                "qualification": s.qualification,
                "qualification_name": type_names.get(s.qualification, s.qualification),
            }
        )
    return specialists


def _build_records(
    task: Task,
    final: FinalMatching,
    entities: dict[str, Entity],
    items: list[InspectionItem],
    groups: dict[str, InspectionGroup],
    specialists: dict[str, list[dict[str, str]]],
) -> tuple[list[JointRecord], list[list[InspectionItem]]]:
    """One unsaved record per final entity in processing order, and its applicable items;
    refused if an entity has no item or its group lacks a department's inspector."""
    group_departments = {
        g.entity_id: {m.department for m in g.members} for g in final.matching.groups
    }
    records = []
    rows = []
    for seq, code in enumerate(final.order, 1):
        entity = entities[code]
        tags = {t.pk for t in entity.tags.all()}
        applicable = [i for i in items if item_applies(i, entity, tags)]
        if not applicable:
            raise ValidationError(f"{entity.name}没有适用的抽查事项，抽查事项清单可能已被修改")
        served = group_departments.get(code)
        if served is not None:
            uncovered = {i.department.name for i in applicable} - served
            if uncovered:
                raise ValidationError(
                    f"{entity.name}的检查组缺少{'、'.join(sorted(uncovered))}的人员："
                    "抽查事项清单在公告后发生了变化，须重新抽取"
                )
        record = JointRecord(
            task=task,
            entity=entity,
            group=groups.get(code),
            number=f"{task.number}-{seq:04d}",
            specialist_needed=specialists.get(code, []),
        )
        record.full_clean(validate_unique=False, validate_constraints=False)
        records.append(record)
        rows.append(applicable)
    return records, rows


def _create_record_items(
    task: Task, records: list[JointRecord], rows: list[list[InspectionItem]]
) -> int:
    """One row per applicable item on each saved record; return how many."""
    saved = {r.entity_id: r for r in JointRecord.objects.filter(task=task)}
    items_to_create = []
    for record, applicable in zip(records, rows, strict=True):
        for item in applicable:
            row = RecordItem(record=saved[record.entity_id], department=item.department, item=item)
            row.full_clean(validate_unique=False, validate_constraints=False)
            items_to_create.append(row)
    RecordItem.objects.bulk_create(items_to_create)
    return len(items_to_create)
