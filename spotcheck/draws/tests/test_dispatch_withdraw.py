"""撤回派发: the way back from a dispatch that no department has acted on yet."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.choices import DeadlineKind
from spotcheck.deadlines.models import Deadline
from spotcheck.draws.dispatch import (
    department_confirm,
    draw_dispatch,
    draw_dispatch_withdraw,
    drawn_object_replace,
)
from spotcheck.draws.models import DrawnObject
from spotcheck.testing.personas import LOGIN_BACKEND

pytestmark = pytest.mark.django_db


def _confirm_limits(task: Task) -> int:
    return Deadline.objects.filter(
        target_id=str(task.pk), kind=DeadlineKind.CONFIRM_OBJECTS
    ).count()


def test_a_dispatch_nobody_acted_on_is_withdrawn_and_can_be_dispatched_again(
    dispatched: Task, lead_admin: User
) -> None:
    drawn = sorted(DrawnObject.objects.values_list("entity_code", flat=True))
    assert _confirm_limits(dispatched) > 0

    draw_dispatch_withdraw(actor=lead_admin, task=dispatched)

    dispatched.refresh_from_db()
    assert dispatched.state == TaskState.DRAWN
    assert DrawnObject.objects.count() == 0
    assert _confirm_limits(dispatched) == 0
    event = AuditEvent.objects.get(event_type="draw.dispatch_withdrawn")
    assert sorted(event.data["objects"]) == drawn
    again = draw_dispatch(actor=lead_admin, task=dispatched)
    assert sorted(o.entity_code for o in again) == drawn


def test_after_a_confirmation_the_dispatch_stays(
    dispatched: Task, lead_admin: User, dept_admin: User
) -> None:
    department_confirm(actor=dept_admin, task=dispatched)

    with pytest.raises(ValidationError, match="已有部门确认了派发名单"):
        draw_dispatch_withdraw(actor=lead_admin, task=dispatched)
    assert DrawnObject.objects.exists()


def test_after_an_object_was_sent_back_the_dispatch_stays(
    dispatched: Task, lead_admin: User, dept_admin: User
) -> None:
    obj = DrawnObject.objects.order_by("id").first()
    assert obj is not None
    drawn_object_replace(
        actor=dept_admin, obj=obj, reason="cancelled", note="已注销", expected_state="pending"
    )

    with pytest.raises(ValidationError, match="已有检查对象被确认或退回"):
        draw_dispatch_withdraw(actor=lead_admin, task=dispatched)


def test_only_the_lead_office_withdraws_a_dispatch(dispatched: Task, dept_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        draw_dispatch_withdraw(actor=dept_admin, task=dispatched)
    dispatched.refresh_from_db()
    assert dispatched.state == TaskState.CONFIRMING


def test_the_objects_page_offers_the_way_back_and_asks_first(
    dispatched: Task, lead_admin: User
) -> None:
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)
    page = client.get(reverse("draws:objects", args=[dispatched.pk])).content.decode()
    assert "撤回派发…" in page

    url = reverse("draws:dispatch_withdraw", args=[dispatched.pk])
    asked = client.post(url).content.decode()
    assert "确认撤回派发" in asked
    assert DrawnObject.objects.exists()  # nothing done before the confirmation

    client.post(url, {"confirmed": "1"})
    dispatched.refresh_from_db()
    assert dispatched.state == TaskState.DRAWN
