from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record
from spotcheck.audit.tests.text import dotted_codes, visible_text
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import AnnualPlan, Task
from spotcheck.campaigns.services import plan_create, task_create, task_transition, task_update
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.core.taskflow import IllegalTransition
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.testing.personas import Departments, Regions


@pytest.fixture
def plan(departments: Departments, lead_admin: User) -> AnnualPlan:
    return plan_create(
        actor=lead_admin,
        year=2026,
        name="2026年计划",
        number="晋州市政府办抽查计划〔2026〕1号",
        department=departments.lead_office,
    )


@pytest.fixture
def items(departments: Departments) -> dict[str, InspectionItem]:
    return {
        "lead": make_item(departments.lead_office, "JR-01"),
        "market": make_item(departments.market, "SJ-01"),
    }


def _values(
    plan: AnnualPlan, departments: Departments, regions: Regions, **overrides: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "plan": plan,
        "number": "晋州市政府办抽查〔2026〕10号",
        "name": "第十次联合抽查",
        "lead_department": departments.lead_office,
        "scope_region": regions.county,
        "ratio_a": Decimal("3"),
        "ratio_b": Decimal("3"),
        "ratio_c": Decimal("5"),
        "ratio_d": Decimal("10"),
        "floor_ratio": Decimal("3"),
        "window_start": dt.date(2026, 3, 1),
        "window_end": dt.date(2026, 7, 30),
    }
    values.update(overrides)
    return values


@pytest.fixture
def task(
    plan: AnnualPlan,
    departments: Departments,
    regions: Regions,
    items: dict[str, InspectionItem],
    lead_admin: User,
) -> Task:
    return task_create(
        actor=lead_admin,
        values=_values(plan, departments, regions),
        participants=[
            (departments.lead_office, [items["lead"]]),
            (departments.market, [items["market"]]),
        ],
    )


def test_task_is_created_as_a_draft_with_its_participants(task: Task) -> None:
    assert task.state == TaskState.DRAFT
    assert sorted(task.participants.values_list("department__name", flat=True)) == [
        "晋州市人民政府办公室",
        "晋州市市场监督管理局",
    ]
    assert task.scope_reg_statuses == ["active"]
    event = AuditEvent.objects.get(event_type="campaigns.task.created")
    assert event.data["participants"] == {
        "晋州市人民政府办公室": ["JR-01"],
        "晋州市市场监督管理局": ["SJ-01"],
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ratio_d": Decimal("120")}, "ratio_d", "确保该值小于或等于100。"),
        ({"ratio_a": Decimal("1")}, "ratio_a", "A类的抽取比例低于总体下限3%（不抽取的类别请填0）"),
        ({"window_end": dt.date(2026, 2, 1)}, "window_end", "检查结束日期不能早于开始日期"),
        (
            {"number": "第十号"},
            "number",
            "任务编号应为“牵头机关简称+抽查〔年度〕序号号”，如 晋州市政府办抽查〔2026〕10号",
        ),
        (
            {
                "ratio_a": Decimal("0"),
                "ratio_b": Decimal("0"),
                "ratio_c": Decimal("0"),
                "ratio_d": Decimal("0"),
            },
            "ratio_a",
            "至少一个信用风险类别的抽取比例须大于0",
        ),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(
    plan: AnnualPlan,
    departments: Departments,
    regions: Regions,
    items: dict[str, InspectionItem],
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as exc:
        task_create(
            actor=None,
            values=_values(plan, departments, regions, **overrides),
            participants=[(departments.lead_office, [items["lead"]])],
        )

    assert exc.value.message_dict[field] == [message]
    assert Task.objects.count() == 0


def test_task_without_items_is_refused(
    plan: AnnualPlan, departments: Departments, regions: Regions
) -> None:
    with pytest.raises(ValidationError) as exc:
        task_create(actor=None, values=_values(plan, departments, regions), participants=[])

    assert exc.value.message_dict == {"participants": ["请至少指定一个参与部门及其抽查事项"]}
    assert Task.objects.count() == 0


def test_a_department_brings_only_its_own_items(
    plan: AnnualPlan, departments: Departments, regions: Regions, items: dict[str, InspectionItem]
) -> None:
    with pytest.raises(ValidationError) as exc:
        task_create(
            actor=None,
            values=_values(plan, departments, regions),
            participants=[(departments.lead_office, [items["lead"], items["market"]])],
        )

    assert exc.value.message_dict == {
        "participants": ["晋州市人民政府办公室只能带本部门的抽查事项：事项SJ-01"]
    }


def test_department_admin_cannot_organise(
    plan: AnnualPlan,
    departments: Departments,
    regions: Regions,
    items: dict[str, InspectionItem],
    dept_admin: User,
) -> None:
    with pytest.raises(PermissionDenied):
        task_create(
            actor=dept_admin,
            values=_values(plan, departments, regions),
            participants=[(departments.lead_office, [items["lead"]])],
        )


def test_published_task_terms_are_fixed(
    task: Task, lead_admin: User, items: dict[str, InspectionItem], departments: Departments
) -> None:
    task_transition(actor=lead_admin, task=task, to=TaskState.PUBLISHED, step="publish")

    with pytest.raises(ValidationError):
        task_update(
            actor=lead_admin,
            task=task,
            values={"ratio_a": Decimal("50")},
            participants=[(departments.lead_office, [items["lead"]])],
        )

    task.refresh_from_db()
    assert task.ratio_a == Decimal("3")


def test_illegal_move_is_refused_and_nothing_changes(task: Task, lead_admin: User) -> None:
    with pytest.raises(IllegalTransition, match="任务状态不能从“草稿”变为“已派发”"):
        task_transition(actor=lead_admin, task=task, to=TaskState.DISPATCHED, step="dispatch")

    task.refresh_from_db()
    assert task.state == TaskState.DRAFT
    assert not AuditEvent.objects.filter(event_type="campaigns.task.transitioned").exists()


@time_machine.travel(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC), tick=False)
def test_confirmation_starts_two_working_days_for_each_department(
    task: Task, lead_admin: User
) -> None:
    # given the calendar and a task walked to 已派发
    calendar_load_bundled(actor=None)
    task_transition(actor=lead_admin, task=task, to=TaskState.PUBLISHED, step="publish")
    for state, step in (
        (TaskState.ANNOUNCED, "announce"),
        (TaskState.DRAWN, "draw"),
        (TaskState.DISPATCHED, "dispatch"),
    ):
        task_transition(actor=lead_admin, task=task, to=state, step=step)

    # when the system starts the comparison and confirmation on 2026-09-30
    task_transition(actor=None, task=task, to=TaskState.CONFIRMING, step="dispatch")

    # then every participating department has its own 2-working-day limit past 国庆
    deadlines = Deadline.objects.order_by("department__name")
    assert [(d.department.name, d.due_date) for d in deadlines] == [
        ("晋州市人民政府办公室", dt.date(2026, 10, 9)),
        ("晋州市市场监督管理局", dt.date(2026, 10, 9)),
    ]
    assert deadlines[0].target_url == f"/tasks/{task.pk}/"


@pytest.mark.parametrize(
    ("persona", "board", "detail", "create"),
    [
        ("anonymous", 302, 302, 302),
        ("platform_admin", 200, 200, 200),
        ("lead_admin", 200, 200, 200),
        ("dept_admin", 200, 200, 404),
        ("other_dept_admin", 200, 404, 404),
        ("inspector", 200, 404, 404),
        ("auditor", 200, 200, 404),
    ],
)
def test_task_pages_by_role(
    task: Task,
    persona_client: Callable[[str], Client],
    persona: str,
    board: int,
    detail: int,
    create: int,
) -> None:
    client = persona_client(persona)

    assert client.get("/tasks/").status_code == board
    assert client.get(f"/tasks/{task.pk}/").status_code == detail
    assert client.get("/tasks/new/").status_code == create


def test_the_task_history_names_every_step_in_chinese_and_shows_no_codes(
    task: Task, persona_client: Callable[[str], Client]
) -> None:
    # given: a step the history has no sentence of its own for, written by the system
    with transaction.atomic():
        audit_record(actor=None, event_type=events.DEMO_FIELD_LOADED, target=task)

    # when
    page = persona_client("lead_admin").get(f"/tasks/{task.pk}/").content.decode()

    # then
    text = visible_text(page)
    assert "系统 · 载入现场检查演练" in text
    assert "牵头单位管理员 · 创建任务" in text
    assert dotted_codes(page) == []
