"""Reads of draw attempts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.models import AttemptStatus, DrawAttempt, DrawnObject
from spotcheck.draws.services import stored_groups, stored_selection


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


def public_draw_record(task: Task) -> list[DrawAttempt]:
    """Every announced attempt of a task, for the public record: abandoned ones too."""
    return list(
        task.draw_attempts.exclude(announcement="")
        .select_related("created_by", "approved_by")
        .prefetch_related("officials__user", "officials__department")
        .order_by("number")
    )


def drawn_entities(attempt: DrawAttempt | None) -> list[dict[str, Any]]:
    """The drawn entities of an attempt with their groups (names, 执法证号), in draw order."""
    if attempt is None or not attempt.result:
        return []
    ids = [e for _s, kind, e in stored_selection(attempt) if kind == "selected"]
    groups = stored_groups(attempt)
    names = {
        e.uscc or e.reg_no: e
        for e in Entity.objects.filter(uscc__in=ids) | Entity.objects.filter(reg_no__in=ids)
    }
    certificates = {c for members in groups.values() for _s, _d, c in members}
    inspectors = dict(
        Inspector.objects.filter(certificate_no__in=certificates).values_list(
            "certificate_no", "name"
        )
    )
    return [
        {
            "id": i,
            "entity": names.get(i),
            "members": [
                {
                    "leader": slot == 0,
                    "department": department,
                    "certificate_no": certificate_no,
                    "name": inspectors.get(certificate_no, ""),
                }
                for slot, department, certificate_no in groups.get(i, [])
            ],
        }
        for i in ids
    ]


def dispatched_objects(task: Task) -> list[dict[str, Any]]:
    """The dispatched list of a task with each entity, newest attempt only."""
    objects = list(
        DrawnObject.objects.filter(attempt__task=task, attempt__status=AttemptStatus.DRAWN)
        .select_related("replaces", "replaced_by")
        .order_by("stratum", "id")
    )
    codes = [o.entity_code for o in objects]
    entities = {
        e.uscc or e.reg_no: e
        for e in Entity.objects.filter(uscc__in=codes) | Entity.objects.filter(reg_no__in=codes)
    }
    return [{"object": o, "entity": entities.get(o.entity_code)} for o in objects]
