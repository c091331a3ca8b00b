"""Reads of plans and tasks, scoped to the user."""

from __future__ import annotations

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from spotcheck.access.gates import access_office_for_working, access_tasks_for_organising
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids, writable_department_ids
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.models import AnnualPlan, Task
from spotcheck.core import taskflow
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline


def task_list_for_user(user: User, *, state: str = "") -> QuerySet[Task]:
    """Return the tasks a user may see: the lead office and auditors see all of them,
    a department admin sees the tasks its subtree takes part in."""
    overdue = Deadline.objects.filter(
        target_type="campaigns.task",
        # Deadline.target_id is text (it points at any model); compare as text
        target_id=Cast(OuterRef("pk"), output_field=CharField()),
        state=DeadlineState.OVERDUE,
    )
    qs = Task.objects.select_related("lead_department", "plan").annotate(
        participant_count=Count("participants", distinct=True),
        has_overdue=Exists(overdue),
    )
    if not access_office_for_working(user):
        return qs.none()
    ids = readable_department_ids(user)
    if ids is not None:
        qs = qs.filter(participants__department__in=ids).distinct()
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-window_start", "number")


def task_get_for_user(user: User, task_id: int) -> Task:
    try:
        return (
            task_list_for_user(user)
            .prefetch_related("participants__department", "participants__items", "scope_tags")
            .get(pk=task_id)
        )
    except Task.DoesNotExist:
        raise Http404 from None


def task_can_organise(user: User, task: Task) -> bool:
    """Tell whether the user organises this task (lead department admin or platform admin)."""
    if not access_tasks_for_organising(user):
        return False
    allowed = writable_department_ids(user)
    return allowed is None or task.lead_department_id in allowed


def task_timeline(task: Task) -> QuerySet[AuditEvent]:
    """Every recorded step of a task, oldest first."""
    return AuditEvent.objects.filter(target_type="campaigns.task", target_id=str(task.pk)).order_by(
        "created_at", "id"
    )


def task_deadlines(task: Task) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        target_type="campaigns.task", target_id=str(task.pk)
    ).select_related("department")


def plan_list_for_user(user: User) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.select_related("department")
    if not access_office_for_working(user):
        return qs.none()
    ids = readable_department_ids(user)
    if ids is not None:
        qs = qs.filter(
            Q(department__in=ids) | Q(tasks__participants__department__in=ids)
        ).distinct()
    return qs


def plan_list_public(
    *, year: int | None = None, department: int | None = None
) -> QuerySet[AnnualPlan]:
    """Published plans (抽查计划公告): anyone may read them."""
    qs = AnnualPlan.objects.filter(state="published").select_related("department")
    if year:
        qs = qs.filter(year=year)
    if department:
        qs = qs.filter(department=department)
    return qs.prefetch_related(Prefetch("tasks", queryset=Task.objects.filter(is_practice=False)))


def task_list_public(*, year: int | None = None, department: int | None = None) -> QuerySet[Task]:
    """Published tasks (抽查任务公告): every task that has left 草稿, practice ones never."""
    qs = (
        Task.objects.exclude(state=taskflow.DRAFT)
        .filter(is_practice=False)
        .select_related("plan", "lead_department", "scope_region", "scope_department")
        .prefetch_related("participants__department", "participants__items", "scope_tags")
    )
    if year:
        qs = qs.filter(window_start__year=year)
    if department:
        qs = qs.filter(participants__department=department).distinct()
    return qs.order_by("-window_start", "number")


def plan_years_public() -> list[int]:
    """The years that have a published plan, newest first."""
    years = AnnualPlan.objects.filter(state="published").values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def task_get_public(task_id: int) -> Task:
    """A task anyone may read: every task that has left 草稿."""
    try:
        return task_list_public().get(pk=task_id)
    except Task.DoesNotExist:
        raise Http404 from None
