"""Reads of draw attempts."""

from __future__ import annotations

from django.db.models import QuerySet

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.draws.models import AttemptStatus, DrawAttempt


def attempts_of(task: Task) -> QuerySet[DrawAttempt]:
    """Every attempt of a task, abandoned ones included (the caller checked task access)."""
    return task.draw_attempts.select_related("created_by", "approved_by").prefetch_related(
        "officials__user", "officials__department"
    )


def live_attempt(task: Task) -> DrawAttempt | None:
    return (
        task.draw_attempts.filter(status__in=(AttemptStatus.COMMITTING, AttemptStatus.ANNOUNCED))
        .order_by("-number")
        .first()
    )


def drawn_attempt(task: Task) -> DrawAttempt | None:
    return task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()


def official_candidates(task: Task) -> QuerySet[User]:
    """Admins of the participating departments, who may be named to commit."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=("lead_admin", "dept_admin"),
            department__task_roles__task=task,
        )
        .select_related("department")
        .distinct()
        .order_by("department__path", "username")
    )
