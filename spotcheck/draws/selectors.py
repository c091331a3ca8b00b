"""Reads of draw attempts."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.core import taskflow
from spotcheck.core.draw.canonical import parse_frame_line, split_lines
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.models import AttemptStatus, DrawAttempt, DrawnObject, ObjectState
from spotcheck.draws.services import stored_drawn_frame, stored_groups, stored_selection


def attempts_of(task: Task) -> QuerySet[DrawAttempt]:
    """Every attempt of a task: refused, abandoned and superseded ones included (the caller
    checked task access)."""
    return task.draw_attempts.select_related(
        "created_by", "approved_by", "supersedes"
    ).prefetch_related(
        "officials__user", "officials__department", "claims__department", "redraw_requests"
    )


def pending_redraw(task: Task) -> DrawAttempt | None:
    """The redraw request of a task that waits for its approver, if any."""
    return (
        task.draw_attempts.filter(status=AttemptStatus.REQUESTED)
        .select_related("created_by", "approved_by", "supersedes")
        .first()
    )


def redraw_approvers(task: Task, requester: User) -> QuerySet[User]:
    """Officials who may approve this requester's redraw of the task: of another role, not
    field inspectors, and able to open the task (a department admin of a participant)."""
    return (
        User.objects.filter(is_active=True, role__in=taskflow.REDRAW_APPROVER_ROLES)
        .exclude(role=requester.role)
        .exclude(pk=requester.pk)
        .filter(~Q(role="dept_admin") | Q(department__task_roles__task=task))
        .select_related("department")
        .distinct()
        .order_by("username")
    )


def redraw_overview(task: Task, user: User) -> dict[str, Any] | None:
    """What the task and draw pages show about redrawing: a pending request and who
    decides it, or the lead office's way to ask for one (已确认, 编组中)."""
    pending = pending_redraw(task)
    organiser = task_can_organise(user, task)
    can_request = (
        organiser
        and pending is None
        and task.state in taskflow.redraw_sources()
        and drawn_attempt(task) is not None
    )
    if pending is None and not can_request:
        return None
    return {
        "pending": pending,
        "can_request": can_request,
        "can_decide": pending is not None and pending.approved_by_id == user.pk,
        "can_withdraw": pending is not None and organiser,
    }


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
    """Every announced attempt of a task, for the public record: abandoned and
    superseded ones too."""
    return list(
        task.draw_attempts.exclude(announcement="")
        .select_related("created_by", "approved_by__department")
        .prefetch_related(
            "officials__user", "officials__department", "redraw_requests__approved_by__department"
        )
        .order_by("number")
    )


def drawn_entities(attempt: DrawAttempt | None) -> list[dict[str, Any]]:
    """The drawn entities of an attempt with their groups (names, 执法证号), in draw order."""
    if attempt is None or not attempt.result:
        return []
    if attempt.matched_at is not None:  # the final list after replacements, matched groups
        active = set(
            DrawnObject.objects.filter(attempt=attempt)
            .exclude(state=ObjectState.REPLACED)
            .values_list("entity_code", flat=True)
        )
        ids = [e for _s, _kind, e in stored_selection(attempt) if e in active]
        groups = stored_groups(attempt, "final_groups.tsv")
    else:
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


def department_objects(attempt: DrawAttempt) -> dict[str, list[str]]:
    """The final (dispatched, not replaced) entities of each department, from the frozen
    frame's items of the drawn entities; no draw is re-run, the frame is not read."""
    ann = json.loads(attempt.announcement)
    owner = {i["code"]: i["department"] for i in ann["items"]}
    active = set(
        DrawnObject.objects.filter(attempt=attempt)
        .exclude(state=ObjectState.REPLACED)
        .values_list("entity_code", flat=True)
    )
    found: dict[str, list[str]] = {d: [] for d in ann["departments"]}
    for line in split_lines(stored_drawn_frame(attempt), "drawn_frame.tsv"):
        row = parse_frame_line(line)
        if row.entity_id in active:
            for department in sorted({owner[c] for c in row.items}):
                found[department].append(row.entity_id)
    return found


_SHOWN_FROM = (
    TaskState.CONFIRMED,
    TaskState.GROUPING,
    TaskState.MATCHED,
    TaskState.CHECKING,
    TaskState.ENTERING,
    TaskState.PUBLICISED,
    TaskState.DISPOSING,
    TaskState.CLOSED,
)


def grouping_overview(task: Task, user: User) -> dict[str, Any] | None:
    """What the task page shows about claims, inspector draws and the matching."""
    if task.state not in _SHOWN_FROM:
        return None
    attempt = drawn_attempt(task)
    if attempt is None:
        return None
    organiser = task_can_organise(user, task)
    allowed = writable_department_ids(user)
    summary = {d["department"]: d for d in json.loads(attempt.result)["inspectors"]}
    objects = department_objects(attempt)
    claims = {
        c.department.name: c for c in attempt.claims.select_related("department", "claimed_by")
    }
    certificates = {c for claim in claims.values() for c in claim.certificates}
    names = dict(
        Inspector.objects.filter(certificate_no__in=certificates).values_list(
            "certificate_no", "name"
        )
    )
    participants = {p.department.name: p for p in task.participants.select_related("department")}
    rows = []
    for name in json.loads(attempt.announcement)["departments"]:
        participant = participants.get(name)
        claim = claims.get(name)
        stats = summary.get(name, {"drawn": 0, "eligible": 0, "pool": 0})
        mine = (
            participant is not None
            and user.role in ("dept_admin", "lead_admin", "platform_admin")
            and (allowed is None or participant.department_id in allowed)
        )
        rows.append(
            {
                "name": name,
                "department_id": participant.department_id if participant else None,
                "lead": participant is not None
                and participant.department_id == task.lead_department_id,
                "objects": len(objects.get(name, [])),
                "claim": claim,
                "inspectors": [
                    {"certificate_no": c, "name": names.get(c, "")}
                    for c in (claim.certificates if claim else [])
                ],
                "eligible": stats["eligible"],
                "pool": stats["pool"],
                "no_eligible": bool(objects.get(name)) and stats["drawn"] == 0,
                "mine": mine,
                "can_claim": mine
                and task.state == TaskState.GROUPING
                and claim is None
                and bool(objects.get(name))
                and stats["drawn"] > 0,
            }
        )
    waiting = [r["name"] for r in rows if r["objects"] and r["claim"] is None]
    final = json.loads(attempt.final_result) if attempt.final_result else None
    groups = []
    records = 0
    if final is not None:
        groups = list(
            task.groups.prefetch_related(
                "members__inspector", "members__department", "records__entity"
            ).order_by("number")
        )
        records = task.records.count()
    return {
        "attempt": attempt,
        "departments": rows,
        "organiser": organiser,
        "can_start": organiser and task.state == TaskState.CONFIRMED,
        "can_match": organiser and task.state == TaskState.GROUPING and not waiting,
        "waiting": waiting,
        "grouping": task.state == TaskState.GROUPING,
        "final": final,
        "infeasible_entities": sorted({x["entity_id"] for x in final["matching"]["infeasible"]})
        if final
        else [],
        "groups": groups,
        "records": records,
    }
