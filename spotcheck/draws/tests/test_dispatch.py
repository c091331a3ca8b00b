from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spotcheck.accounts.models import User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadlines_remind
from spotcheck.draws.choices import ObjectState
from spotcheck.draws.dispatch import department_confirm, drawn_object_replace
from spotcheck.draws.models import DrawnObject


def test_dispatch_starts_two_working_days_per_department(dispatched: Task) -> None:
    assert dispatched.state == TaskState.CONFIRMING
    assert DrawnObject.objects.filter(state=ObjectState.PENDING).count() == 5
    assert sorted(Deadline.objects.values_list("department__name", "due_date")) == [
        ("晋州市人民政府办公室", dt.date(2026, 3, 4)),
        ("晋州市市场监督管理局", dt.date(2026, 3, 4)),
    ]


def test_a_cancelled_object_is_replaced_by_the_next_reserve_of_its_stratum(
    dispatched: Task, dept_admin: User
) -> None:
    obj = DrawnObject.objects.order_by("id").first()
    assert obj is not None

    successor = drawn_object_replace(
        actor=dept_admin, obj=obj, reason="cancelled", note="已注销", expected_state="pending"
    )

    obj.refresh_from_db()
    assert obj.state == ObjectState.REPLACED
    assert successor is not None
    assert (successor.stratum, successor.from_reserve, successor.replaces) == (
        obj.stratum,
        True,
        obj,
    )
    with pytest.raises(ValidationError, match="已退回，由 .* 替补，本次未退回"):
        drawn_object_replace(
            actor=dept_admin, obj=obj, reason="cancelled", note="已注销", expected_state="pending"
        )


def test_only_declared_reasons_replace(dispatched: Task, dept_admin: User) -> None:
    obj = DrawnObject.objects.order_by("id").first()
    assert obj is not None

    with pytest.raises(ValidationError, match="抽取公告声明的理由"):
        drawn_object_replace(
            actor=dept_admin, obj=obj, reason="dislike", note="不想查", expected_state="pending"
        )

    assert DrawnObject.objects.count() == 5


def test_other_department_cannot_touch_the_list(dispatched: Task, other_dept_admin: User) -> None:
    obj = DrawnObject.objects.order_by("id").first()
    assert obj is not None

    with pytest.raises(PermissionDenied):
        drawn_object_replace(
            actor=other_dept_admin,
            obj=obj,
            reason="cancelled",
            note="已注销",
            expected_state="pending",
        )
    with pytest.raises(PermissionDenied):
        department_confirm(actor=other_dept_admin, task=dispatched)


def test_all_departments_confirming_moves_the_task_and_closes_deadlines(
    dispatched: Task, lead_admin: User, dept_admin: User
) -> None:
    department_confirm(actor=dept_admin, task=dispatched)
    with pytest.raises(ValidationError, match="无需重复确认"):
        department_confirm(actor=dept_admin, task=dispatched)
    department_confirm(actor=lead_admin, task=dispatched)

    dispatched.refresh_from_db()
    assert dispatched.state == TaskState.CONFIRMED
    assert set(Deadline.objects.values_list("state", flat=True)) == {DeadlineState.DONE}
    assert not DrawnObject.objects.filter(state=ObjectState.PENDING).exists()


def test_lead_confirms_for_a_department_only_after_its_deadline_passed(
    dispatched: Task, lead_admin: User
) -> None:
    market = dispatched.participants.get(department__name="晋州市市场监督管理局")

    with pytest.raises(ValidationError, match="尚未超期"):
        department_confirm(actor=lead_admin, task=dispatched, on_behalf_of=market, reason="超期")
    deadlines_remind(today=dt.date(2026, 3, 5))
    with pytest.raises(ValidationError, match="须写明理由"):
        department_confirm(actor=lead_admin, task=dispatched, on_behalf_of=market)
    done = department_confirm(
        actor=lead_admin, task=dispatched, on_behalf_of=market, reason="超期未确认，经电话核实"
    )

    assert done.confirmed_at is not None
    late = Deadline.objects.get(department=market.department)
    assert (late.state, late.completed_late) == (DeadlineState.DONE, True)
