"""Opt-in field-work demo (``manage.py demo_field``): a matched task with 一企一表 records
for the demo inspectors, so the phone pages can be shown before the real draw and
matching of the seed task have been run.

It is kept apart from the seed scenario on purpose: the seed task stays untouched (still to
be drawn), and this separate demo task says in its name that it is for field-work practice.
Groups and records are created the way matching creates them (one group of the demo
inspectors, one record per enterprise with each participating department's item).  The
group has two 市场监督管理局 inspectors (``scj_inspector`` and ``scj_inspector2``, as the
draw gives a single-department enterprise two of them) and the first record two market
items, so that two phones filling one record can be practised (docs/domain/entry-conflicts.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from spotcheck.access.roles import Role
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.services import user_create
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState, TaskType
from spotcheck.campaigns.models import AnnualPlan, Task
from spotcheck.campaigns.services import task_create
from spotcheck.catalogue.models import InspectionItem
from spotcheck.demo.scenario import DEMO_PASSWORD, GAJ, LEAD, SCJ
from spotcheck.directory.choices import EntityType, InspectorStatus
from spotcheck.directory.models import Entity, Inspector
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem

FIELD_TASK_NUMBER = "晋州市政府办抽查〔2026〕90号"
FIELD_LOGINS = ("zfb_inspector", "scj_inspector", "gaj_inspector")
SECOND_SCJ_LOGIN = "scj_inspector2"


class FieldDemoError(Exception):
    """The field demo cannot be loaded (the scenario is missing, or it is loaded already)."""


@transaction.atomic
def load_field_demo(*, today: dt.date) -> list[JointRecord]:
    """Create the practice task, its group of the four demo inspectors and four records."""
    if Task.objects.filter(number=FIELD_TASK_NUMBER).exists():
        raise FieldDemoError("现场检查演示任务已存在，无需重复载入")
    lead_admin, inspectors, plan = _scenario_people_and_plan()
    departments = {d.name: d for d in Department.objects.filter(name__in=(LEAD, SCJ, GAJ))}
    inspectors.insert(2, _second_market_inspector(departments[SCJ], inspectors[1]))
    items, second_scj = _field_items(departments)
    task = _practice_task(lead_admin, plan, departments, items, second_scj, today)
    group = _field_group(task, inspectors)
    records = _field_records(task, group, plan, departments, items, second_scj, today)
    audit_record(
        actor=None,
        event_type=events.DEMO_FIELD_LOADED,
        target=task,
        data={"records": [r.number for r in records]},
    )
    return records


def _scenario_people_and_plan() -> tuple[User, list[Inspector], AnnualPlan]:
    """The seed scenario's lead admin, its three demo inspectors and the lead office's plan."""
    try:
        lead_admin = User.objects.get(username="lead")
        inspectors = [Inspector.objects.get(user__username=u) for u in FIELD_LOGINS]
        plan = AnnualPlan.objects.filter(department__name=LEAD).order_by("pk").first()
    except (User.DoesNotExist, Inspector.DoesNotExist) as exc:
        raise FieldDemoError("请先载入演示场景（manage.py demo_load）") from exc
    if plan is None:
        raise FieldDemoError("请先载入演示场景（manage.py demo_load）")
    return lead_admin, inspectors, plan


def _field_items(
    departments: dict[str, Department],
) -> tuple[dict[str, InspectionItem], InspectionItem | None]:
    """Each department's first active item, and the market's second one (if it has one)."""
    items: dict[str, InspectionItem] = {}
    for name in (LEAD, SCJ, GAJ):
        item = (
            InspectionItem.objects.filter(department=departments[name], is_active=True)
            .order_by("code")
            .first()
        )
        if item is None:
            raise FieldDemoError(f"{name}没有抽查事项，无法生成演示记录表")
        items[name] = item
    second_scj = (
        InspectionItem.objects.filter(department=departments[SCJ], is_active=True)
        .exclude(pk=items[SCJ].pk)
        .order_by("code")
        .first()
    )
    return items, second_scj


def _practice_task(
    lead_admin: User,
    plan: AnnualPlan,
    departments: dict[str, Department],
    items: dict[str, InspectionItem],
    second_scj: InspectionItem | None,
    today: dt.date,
) -> Task:
    """The practice task of the three departments, already at 检查中."""
    task = task_create(
        actor=lead_admin,
        values={
            "plan": plan,
            "number": FIELD_TASK_NUMBER,
            "name": "现场检查演练（演示用，非正式抽查）",
            "task_type": TaskType.DIRECTED,
            "lead_department": departments[LEAD],
            "scope_entity_types": [EntityType.ENTERPRISE],
            "scope_region": plan.department.region,
            "ratio_a": Decimal("3"),
            "ratio_b": Decimal("3"),
            "ratio_c": Decimal("3"),
            "ratio_d": Decimal("3"),
            "floor_ratio": Decimal("3"),
            "window_start": today,
            "window_end": today + dt.timedelta(days=60),
            # practice data never reaches the public pages, the open data or the exchange
            "is_practice": True,
        },
        participants=[
            (departments[n], [items[n], second_scj] if n == SCJ and second_scj else [items[n]])
            for n in (LEAD, SCJ, GAJ)
        ],
    )
    # The draw and the matching are their own steps (and tested there); the practice task
    # starts where they end.
    Task.objects.filter(pk=task.pk).update(state=TaskState.CHECKING)
    return task


def _field_group(task: Task, inspectors: list[Inspector]) -> InspectionGroup:
    """One group of the demo inspectors, the first one leading."""
    group = InspectionGroup.objects.create(task=task, number=1)
    for i, inspector in enumerate(inspectors):
        GroupMember.objects.create(
            group=group, inspector=inspector, department=inspector.department, is_leader=i == 0
        )
    return group


def _field_records(
    task: Task,
    group: InspectionGroup,
    plan: AnnualPlan,
    departments: dict[str, Department],
    items: dict[str, InspectionItem],
    second_scj: InspectionItem | None,
    today: dt.date,
) -> list[JointRecord]:
    """Four records of enterprises not yet on a record, each with its departments' items."""
    entities = list(
        Entity.objects.filter(entity_type=EntityType.ENTERPRISE, region=plan.department.region)
        .exclude(joint_records__isnull=False)
        .order_by("pk")[:4]
    )
    plans = [
        (today, (LEAD, SCJ, GAJ)),
        (today, (SCJ,)),
        (today + dt.timedelta(days=2), (GAJ,)),
        (None, (LEAD,)),
    ]
    records = []
    for n, (entity, (planned_on, names)) in enumerate(zip(entities, plans, strict=False), start=1):
        record = JointRecord.objects.create(
            task=task,
            entity=entity,
            group=group,
            number=f"{FIELD_TASK_NUMBER}-{n:04d}",
            planned_on=planned_on,
        )
        for name in names:
            RecordItem.objects.create(record=record, department=departments[name], item=items[name])
        if n == 1 and second_scj is not None:
            # two market items on the first record: one for each market inspector to fill
            RecordItem.objects.create(record=record, department=departments[SCJ], item=second_scj)
        records.append(record)
    return records


def _second_market_inspector(department: Department, first: Inspector) -> Inspector:
    """The second 市场监督管理局 inspector of the group, with a login of their own."""
    inspector = (
        Inspector.objects.filter(department=department, status=InspectorStatus.ON_DUTY)
        .exclude(pk=first.pk)
        .order_by("pk")
        .first()
    )
    if inspector is None:
        raise FieldDemoError(f"{department.name}只有一名执法检查人员，无法组成两人同部门的检查组")
    if inspector.user_id is None:
        user = user_create(
            actor=None,
            username=SECOND_SCJ_LOGIN,
            password=DEMO_PASSWORD,
            display_name=inspector.name,
            role=Role.INSPECTOR,
            department=department,
        )
        Inspector.objects.filter(pk=inspector.pk).update(user=user)
        inspector.refresh_from_db()
    return inspector
