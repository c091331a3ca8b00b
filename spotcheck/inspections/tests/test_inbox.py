from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import Department
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.tests.factories import Matched


def _deadline(task: Task, department: Department, state: str) -> Deadline:
    return Deadline.objects.create(
        kind=DeadlineKind.CONFIRM_OBJECTS,
        title="比对确认派发的检查对象",
        department=department,
        target_type="campaigns.task",
        target_id=str(task.pk),
        start_event="派发",
        start_date=dt.date(2026, 3, 2),
        working_days=2,
        due_date=dt.date(2026, 3, 4),
        state=state,
    )


def _set_state(task: Task, state: str) -> None:
    Task.objects.filter(pk=task.pk).update(state=state)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("platform_admin", 200),
        ("lead_admin", 200),
        ("dept_admin", 200),
        ("other_dept_admin", 200),
        ("auditor", 404),
        ("inspector", 404),
    ],
)
def test_the_inbox_is_for_those_who_act_for_a_department(
    persona_client, persona: str, status: int
) -> None:
    # when
    response = persona_client(persona).get(reverse("inspections:inbox"))

    # then
    assert response.status_code == status


def test_a_department_still_to_confirm_sees_the_step_and_its_overdue_limit(
    persona_client, matched: Matched, departments
) -> None:
    # given
    _set_state(matched.task, TaskState.CONFIRMING)
    _deadline(matched.task, departments.market, DeadlineState.OVERDUE)
    _deadline(matched.task, departments.police, DeadlineState.OPEN)

    # when
    market = persona_client("dept_admin").get(reverse("inspections:inbox"))

    # then
    assert market.context["counts"] == {
        "tasks": 1,
        "to_confirm": 1,
        "to_claim": 0,
        "to_enter": 0,
        "to_review": 0,
        "overdue": 1,
    }
    html = market.content.decode()
    assert reverse("draws:objects", args=[matched.task.pk]) in html
    assert "已超期：比对确认派发的检查对象（晋州市场监管局，截止 2026-03-04）" in html


def test_a_confirmed_department_no_longer_has_to_confirm(
    persona_client, matched: Matched, departments
) -> None:
    # given
    _set_state(matched.task, TaskState.CONFIRMING)
    TaskDepartment.objects.filter(task=matched.task, department=departments.police).update(
        confirmed_at=timezone.now()
    )

    # when
    police = persona_client("other_dept_admin").get(reverse("inspections:inbox"))

    # then
    assert police.context["counts"]["to_confirm"] == 0
    assert police.context["counts"]["overdue"] == 0


def test_records_to_enter_and_to_review_are_counted_per_department(
    persona_client, matched: Matched
) -> None:
    # given: 甲 awaits review; 乙 (police only) still to be entered
    _set_state(matched.task, TaskState.CHECKING)
    JointRecord.objects.filter(pk=matched.jia.pk).update(state=RecordState.SUBMITTED)
    matched.jia.items.update(entered_at=timezone.now())

    # when
    market = persona_client("dept_admin").get(reverse("inspections:inbox")).context["counts"]

    # then
    assert (market["to_enter"], market["to_review"]) == (0, 1)


def test_the_police_has_its_own_record_to_enter(persona_client, matched: Matched) -> None:
    # given
    _set_state(matched.task, TaskState.CHECKING)
    matched.jia.items.update(entered_at=timezone.now())

    # when
    police = persona_client("other_dept_admin").get(reverse("inspections:inbox"))

    # then
    assert police.context["counts"]["to_enter"] == 1
    link = reverse("inspections:record_list", args=[matched.task.pk])
    assert f'href="{link}"' in police.content.decode()


def test_tasks_waiting_to_be_claimed_are_listed(persona_client, matched: Matched) -> None:
    # given
    _set_state(matched.task, TaskState.GROUPING)

    # when
    counts = persona_client("dept_admin").get(reverse("inspections:inbox")).context["counts"]

    # then
    assert counts["to_claim"] == 1


def test_task_board_shows_counts_and_the_overdue_step(
    persona_client, matched: Matched, departments
) -> None:
    # given
    _set_state(matched.task, TaskState.CONFIRMING)
    TaskDepartment.objects.filter(task=matched.task, department=departments.market).update(
        confirmed_at=timezone.now()
    )
    _deadline(matched.task, departments.police, DeadlineState.OVERDUE)

    # when
    response = persona_client("lead_admin").get(reverse("campaigns:task_board"))

    # then
    html = response.content.decode()
    assert "已确认部门 1/3 · 一企一表 2 份" in html
    assert "已超期：比对确认派发的检查对象（晋州市公安局，截止 2026-03-04）" in html
    assert "部门确认中" in html
