"""Reads of draw attempts."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from spotcheck.access.gates import access_department_for_administering
from spotcheck.access.roles import ADMIN_ROLES, DEPARTMENT_ROLES, ORGANISER_ROLES
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.core import taskflow
from spotcheck.core.draw.canonical import parse_frame_line, parse_json, split_lines
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.attempts import drawn_for
from spotcheck.draws.choices import AttemptStatus, ObjectState, ReplacementReason
from spotcheck.draws.models import DepartmentClaim, DrawAttempt, DrawnObject
from spotcheck.draws.outcomes import final_of
from spotcheck.draws.storage import (
    DRAWN_FRAME,
    stored_drawn_frame,
    stored_groups,
    stored_selection,
)


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
        # an administrator who does not organise tasks must be of a participating department
        .filter(~Q(role__in=ADMIN_ROLES - ORGANISER_ROLES) | Q(department__task_roles__task=task))
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


def announcement_of(attempt: DrawAttempt) -> dict[str, Any]:
    """The attempt's announcement (announcement.json) as a value."""
    value: dict[str, Any] = parse_json(attempt.announcement, "announcement.json")
    return value


def result_of(attempt: DrawAttempt) -> dict[str, Any]:
    """The attempt's result (result.json) as a value."""
    value: dict[str, Any] = parse_json(attempt.result, "result.json")
    return value


def final_result_of(attempt: DrawAttempt) -> dict[str, Any] | None:
    """The attempt's final matching (final.json) as a value; None before matching."""
    if not attempt.final_result:
        return None
    value: dict[str, Any] = parse_json(attempt.final_result, "final.json")
    return value


def official_candidates(task: Task) -> QuerySet[User]:
    """Admins of the participating departments, who may be named to commit."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=ADMIN_ROLES & DEPARTMENT_ROLES,
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


def _entities_by_code(codes: list[str]) -> dict[str, Entity]:
    return {
        e.uscc or e.reg_no: e
        for e in Entity.objects.filter(uscc__in=codes) | Entity.objects.filter(reg_no__in=codes)
    }


def _named(code: str, entities: dict[str, Entity]) -> str:
    entity = entities.get(code)
    return f"{entity.name}（{code}）" if entity else code


def object_status(obj: DrawnObject, successor: str | None, entities: dict[str, Entity]) -> str:
    """What a dispatched row truthfully is: sent back with or without a successor, a
    replacement, waiting or confirmed (a send-back without a successor is not 已替补)."""
    if obj.state == ObjectState.REPLACED:
        if successor:
            return f"已退回（已替补为 {_named(successor, entities)}）"
        return "已退回（备选名单已用完，未替补）"
    state = obj.get_state_display()
    if obj.from_reserve and obj.replaces is not None:
        return f"替补对象（替 {obj.replaces.entity_code}）· {state}"
    return str(state)


def dispatched_objects(task: Task) -> list[dict[str, Any]]:
    """The dispatched list of a task with each entity and its truthful status, newest
    attempt only."""
    objects = list(
        DrawnObject.objects.filter(attempt__task=task, attempt__status=AttemptStatus.DRAWN)
        .select_related("replaces", "replaced_by")
        .order_by("stratum", "id")
    )
    successors = {o.replaces_id: o.entity_code for o in objects if o.replaces_id}
    entities = _entities_by_code([o.entity_code for o in objects])
    return [
        {
            "object": o,
            "entity": entities.get(o.entity_code),
            "successor": successors.get(o.pk),
            "status": object_status(o, successors.get(o.pk), entities),
        }
        for o in objects
    ]


def _percent(ratio: str) -> str:
    value = (Decimal(ratio) * 100).normalize()
    return f"{value:f}%"


def stratum_shortfalls(attempt: DrawAttempt | None) -> list[str]:
    """Warnings, in Chinese, for each stratum of the dispatched list that fell below its
    drawn count or below its floor (最低抽查比例), and for the whole list below the total
    floor: send-backs without a successor leave a stratum short (docs/domain/dispatch.md)."""
    if attempt is None or not attempt.result:
        return []
    objects = list(DrawnObject.objects.filter(attempt=attempt).values_list("stratum", "state"))
    if not objects:
        return []
    allocation = result_of(attempt)["allocation"]
    sampling = announcement_of(attempt)["sampling"]
    active: dict[str, int] = {}
    for stratum, state in objects:
        if state != ObjectState.REPLACED:
            active[stratum] = active.get(stratum, 0) + 1
    warnings = []
    for s in allocation["strata"]:
        label, drawn, base = s["stratum"], s["k"], s["base_k"]
        now = active.get(label, 0)
        if now >= drawn:
            continue
        text = f"{label}类：抽取 {drawn} 户，现有 {now} 户，少 {drawn - now} 户（备选名单已用完）"
        if now < base:
            ratio = sampling["ratios"].get(label[:1])
            floor = f"最低抽查比例 {_percent(ratio)}" if ratio else "最低抽查比例"
            text += f"；低于该类{floor}要求的 {base} 户，差 {base - now} 户"
        warnings.append(text)
    total = sum(active.values())
    if total < allocation["floor_k"]:
        warnings.append(
            f"全部对象：现有 {total} 户，低于总体下限（{_percent(sampling['floor'])}）"
            f"要求的 {allocation['floor_k']} 户，差 {allocation['floor_k'] - total} 户"
        )
    return warnings


def replacement_counts(attempt: DrawAttempt | None) -> dict[str, int]:
    """Send-backs of an attempt: those a reserve entity replaced, and those without one."""
    if attempt is None:
        return {"replaced": 0, "unreplaced": 0}
    sent_back = DrawnObject.objects.filter(attempt=attempt, state=ObjectState.REPLACED)
    replaced = sent_back.filter(replacement__isnull=False).count()
    return {"replaced": replaced, "unreplaced": sent_back.count() - replaced}


def replacement_preview(obj: DrawnObject) -> dict[str, Any]:
    """What sending ``obj`` back now would do: which reserve entity comes in (name and
    code), or that none is left and its stratum falls short (the caller checked access)."""
    number, successor = next_successor(obj)
    entities = _entities_by_code([c for c in (obj.entity_code, successor) if c])
    attempt = obj.attempt
    drawn = next(
        s["k"] for s in result_of(attempt)["allocation"]["strata"] if s["stratum"] == obj.stratum
    )
    active = (
        DrawnObject.objects.filter(attempt=attempt, stratum=obj.stratum)
        .exclude(state=ObjectState.REPLACED)
        .count()
    )
    return {
        "object": _named(obj.entity_code, entities),
        "successor": _named(successor, entities) if successor else None,
        "number": number,
        "stratum": obj.stratum,
        "drawn": drawn,
        "after": active if successor else active - 1,
    }


def department_objects(attempt: DrawAttempt) -> dict[str, list[str]]:
    """The final (dispatched, not replaced) entities of each department, from the frozen
    frame's items of the drawn entities; no draw is re-run, the frame is not read."""
    ann = announcement_of(attempt)
    owner = {i["code"]: i["department"] for i in ann["items"]}
    active = set(
        DrawnObject.objects.filter(attempt=attempt)
        .exclude(state=ObjectState.REPLACED)
        .values_list("entity_code", flat=True)
    )
    found: dict[str, list[str]] = {d: [] for d in ann["departments"]}
    for line in split_lines(stored_drawn_frame(attempt), DRAWN_FRAME):
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


def declared_reasons(attempt: DrawAttempt) -> list[tuple[str, str]]:
    """The replacement reasons the attempt's announcement declared, with their labels."""
    declared = announcement_of(attempt)["sampling"]["replacement_reasons"]
    labels = dict(ReplacementReason.choices)
    return [(r, str(labels.get(r, r))) for r in declared]


def next_successor(obj: DrawnObject) -> tuple[int, str | None]:
    """(number, reserve entity) of sending ``obj`` back now; None once the reserve is used up.

    The n-th send-back of a stratum takes its n-th reserve (DRAW-v1.1, docs/draw-spec.md
    §10.1), whether or not the earlier ones found a successor.
    """
    number = (
        DrawnObject.objects.filter(
            attempt=obj.attempt, stratum=obj.stratum, state=ObjectState.REPLACED
        ).count()
        + 1
    )
    reserve = [
        entity_id
        for stratum, kind, entity_id in stored_selection(obj.attempt)
        if stratum == obj.stratum and kind == "reserve"
    ]
    return number, reserve[number - 1] if number <= len(reserve) else None


def departments_to_claim(task: Task) -> list[str]:
    """Departments (names, task order) that have final objects and have not claimed yet."""
    attempt = drawn_for(task)
    _outcome, final = final_of(attempt)
    claimed = set(attempt.claims.values_list("department__name", flat=True))
    return [
        d
        for d in final.outcome.announcement.departments
        if d not in claimed and final.entities_of(d)
    ]


def _claim_rows(task: Task, user: User, attempt: DrawAttempt) -> list[dict[str, Any]]:
    """One row per department of the announcement: its objects, its claim and inspectors,
    and whether this user may claim for it now."""
    allowed = writable_department_ids(user)
    summary = {d["department"]: d for d in result_of(attempt)["inspectors"]}
    objects = department_objects(attempt)
    claims = {
        c.department.name: c for c in attempt.claims.select_related("department", "claimed_by")
    }
    names = _inspector_names(claims.values())
    participants = {p.department.name: p for p in task.participants.select_related("department")}
    rows = []
    for name in announcement_of(attempt)["departments"]:
        participant = participants.get(name)
        claim = claims.get(name)
        stats = summary.get(name, {"drawn": 0, "eligible": 0, "pool": 0})
        mine = (
            participant is not None
            and access_department_for_administering(user)
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
    return rows


def _inspector_names(claims: Iterable[DepartmentClaim]) -> dict[str, str]:
    """执法证号 → name of every inspector the claims drew."""
    certificates = {c for claim in claims for c in claim.certificates}
    return dict(
        Inspector.objects.filter(certificate_no__in=certificates).values_list(
            "certificate_no", "name"
        )
    )


def grouping_overview(task: Task, user: User) -> dict[str, Any] | None:
    """What the task page shows about claims, inspector draws and the matching."""
    if task.state not in _SHOWN_FROM:
        return None
    attempt = drawn_attempt(task)
    if attempt is None:
        return None
    organiser = task_can_organise(user, task)
    rows = _claim_rows(task, user, attempt)
    waiting = [r["name"] for r in rows if r["objects"] and r["claim"] is None]
    final = final_result_of(attempt)
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
        "replacements": replacement_counts(attempt),
    }
