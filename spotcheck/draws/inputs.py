"""Turn a task and the directories into DRAW-v1's canonical inputs (frame, pool, items)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from spotcheck.accounts.choices import RegionLevel
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.core.draw import Exclusion, FrameRow, InspectorRow, Item, SamplingPlan
from spotcheck.directory.models import Avoidance, Entity, Inspector

NO_ITEMS = "no_items"
EXCLUSION_RULES = {
    NO_ITEMS: "范围内但本任务无适用的抽查事项（对象类型或分类标签不符）",
}


@dataclass(frozen=True)
class TaskInputs:
    """Everything of a task that is frozen at the announcement."""

    items: list[Item]
    departments: list[str]
    candidates: list[FrameRow]
    exclusions: list[Exclusion]
    pool: list[InspectorRow]
    avoidance: list[tuple[str, str]]
    plan: SamplingPlan


def _fraction(percent: Decimal) -> str:
    """3.00 (%) → "0.03": DRAW-v1 ratios are decimal fractions."""
    return format((percent / Decimal(100)).normalize(), "f")


def _task_items(task: Task) -> list[InspectionItem]:
    return list(
        InspectionItem.objects.filter(task_roles__task=task)
        .select_related("department", "item_type")
        .prefetch_related("tags")
        .order_by("code")
    )


def _scope(task: Task) -> Iterable[Entity]:
    qs = Entity.objects.all()
    region = task.scope_region
    if region.level == RegionLevel.COUNTY:
        qs = qs.filter(region=region)
    elif region.level == RegionLevel.CITY:
        qs = qs.filter(region__code__startswith=region.code[:4])
    else:
        qs = qs.filter(region__code__startswith=region.code[:2])
    if task.scope_department_id:
        qs = qs.filter(supervising_departments=task.scope_department_id)
    tags = list(task.scope_tags.values_list("pk", flat=True))
    if tags:
        qs = qs.filter(tags__in=tags)
    if task.scope_entity_types:
        qs = qs.filter(entity_type__in=task.scope_entity_types)
    if task.scope_reg_statuses:
        qs = qs.filter(reg_status__in=task.scope_reg_statuses)
    return qs.distinct().prefetch_related("tags").order_by("pk")


def task_inputs(task: Task) -> TaskInputs:
    """Collect the frame, pool and avoidance list of a task from the directories."""
    items = _task_items(task)
    item_tags = {i.pk: {t.pk for t in i.tags.all()} for i in items}
    candidates: list[FrameRow] = []
    no_items = 0
    for entity in _scope(task):
        entity_id = entity.uscc or entity.reg_no
        entity_tags = {t.pk for t in entity.tags.all()}
        applicable = [
            i.code
            for i in items
            if entity.entity_type in i.entity_types
            and (not item_tags[i.pk] or item_tags[i.pk] & entity_tags)
        ]
        if applicable:
            candidates.append(FrameRow.of(entity_id, entity.risk_class or "U", applicable))
        else:
            no_items += 1
    # task order (DRAW-v1 §5): the lead department first, so that its member leads each group
    names = sorted(task.participants.values_list("department__name", flat=True).distinct())
    lead = task.lead_department.name
    departments = [lead] * (lead in names) + [n for n in names if n != lead]
    inspectors = (
        Inspector.objects.filter(department__name__in=departments)
        .select_related("department")
        .prefetch_related("qualified_item_types")
    )
    pool = [
        InspectorRow.of(
            i.certificate_no,
            i.department.name,
            i.status,
            i.certificate_valid_from.isoformat(),
            i.certificate_valid_until.isoformat(),
            [t.code for t in i.qualified_item_types.all()],
        )
        for i in inspectors
    ]
    certificates = {row.certificate_no for row in pool}
    avoidance = [
        (a.entity.uscc or a.entity.reg_no, a.inspector.certificate_no)
        for a in Avoidance.objects.select_related("entity", "inspector").filter(
            inspector__certificate_no__in=certificates
        )
    ]
    ratios = {cls: _fraction(r) for cls, r in task.ratios().items()}
    return TaskInputs(
        items=[Item(i.code, i.department.name, i.item_type.code, i.item_class) for i in items],
        departments=departments,
        candidates=candidates,
        exclusions=[Exclusion(NO_ITEMS, EXCLUSION_RULES[NO_ITEMS], no_items)],
        pool=pool,
        avoidance=avoidance,
        plan=SamplingPlan(ratios=ratios, floor=_fraction(task.floor_ratio)),
    )
