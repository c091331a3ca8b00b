"""Writes of plans and tasks; every task move goes through task_transition, by a named step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record, model_diff
from spotcheck.campaigns.choices import PlanState, TaskState
from spotcheck.campaigns.models import AnnualPlan, Task, TaskDepartment
from spotcheck.catalogue.models import InspectionItem
from spotcheck.core import taskflow
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadline_complete, deadline_open
from spotcheck.directory.choices import RegStatus
from spotcheck.directory.models import Tag

Participant = tuple[Department, Sequence[InspectionItem]]

TASK_FIELDS = (
    "plan",
    "number",
    "name",
    "task_type",
    "lead_department",
    "scope_entity_types",
    "scope_department",
    "scope_region",
    "scope_reg_statuses",
    "ratio_a",
    "ratio_b",
    "ratio_c",
    "ratio_d",
    "ratio_unclassified",
    "floor_ratio",
    "exclude_checked_within_days",
    "annual_cap",
    "window_start",
    "window_end",
    "publish_object_list",
    "is_practice",
)


def _require_lead(actor: User | None, department: Department) -> None:
    """Only the lead department's admins (or the platform admin) organise a task."""
    if actor is None:
        return
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以组织联合抽查任务")
    allowed = writable_department_ids(actor)
    if allowed is not None and department.pk not in allowed:
        raise PermissionDenied("无权组织其他部门牵头的任务")


@transaction.atomic
def plan_create(
    *,
    actor: User | None,
    year: int,
    name: str,
    number: str,
    department: Department,
    is_joint: bool = False,
) -> AnnualPlan:
    """Draw up an annual plan."""
    _require_lead(actor, department)
    plan = AnnualPlan(year=year, name=name, number=number, department=department, is_joint=is_joint)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, event_type=events.PLAN_CREATED, target=plan, data={"number": number})
    return plan


@transaction.atomic
def plan_publish(*, actor: User | None, plan: AnnualPlan) -> AnnualPlan:
    """Publish a plan (抽查计划公告); a published plan is public."""
    _require_lead(actor, plan.department)
    if plan.state != PlanState.DRAFT:
        raise ValidationError("该计划已发布")
    plan.state = PlanState.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["state", "published_at"])
    audit_record(actor=actor, event_type=events.PLAN_PUBLISHED, target=plan)
    return plan


def _check_participants(participants: Sequence[Participant], lead: Department) -> None:
    if not participants:
        raise ValidationError({"participants": "请至少指定一个参与部门及其抽查事项"})
    seen: set[int] = set()
    for department, items in participants:
        if department.pk in seen:
            raise ValidationError({"participants": f"{department.name}重复"})
        seen.add(department.pk)
        if not items:
            raise ValidationError({"participants": f"{department.name}未选择抽查事项"})
        foreign = [i.name for i in items if i.department_id != department.pk]
        if foreign:
            raise ValidationError(
                {"participants": f"{department.name}只能带本部门的抽查事项：{'、'.join(foreign)}"}
            )
    if lead.pk not in seen:
        raise ValidationError({"participants": "牵头部门须同时作为参与部门"})


def _check_ratios(task: Task) -> None:
    """Every class that is drawn is drawn at least at the floor (河北: 各风险等级均不低于3%)."""
    low = [cls for cls, r in task.ratios().items() if r and r < task.floor_ratio]
    if low:
        names = "、".join("未分类" if c == "U" else f"{c}类" for c in low)
        raise ValidationError(
            {"ratio_a": f"{names}的抽取比例低于总体下限{task.floor_ratio}%（不抽取的类别请填0）"}
        )


def _set_participants(task: Task, participants: Sequence[Participant]) -> None:
    task.participants.all().delete()
    for department, items in participants:
        role = TaskDepartment.objects.create(task=task, department=department)
        role.items.set(items)


def _participants_data(participants: Sequence[Participant]) -> dict[str, list[str]]:
    return {d.name: [i.code for i in items] for d, items in participants}


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    values: dict[str, Any],
    participants: Sequence[Participant],
    scope_tags: Sequence[Tag] = (),
) -> Task:
    """Create a joint task in 草稿."""
    unknown = set(values) - set(TASK_FIELDS)
    if unknown:
        raise ValueError(f"unknown task fields: {sorted(unknown)}")
    task = Task(**values, created_by=actor)
    if not task.scope_reg_statuses:
        task.scope_reg_statuses = [RegStatus.ACTIVE]
    _require_lead(actor, task.lead_department)
    task.full_clean()
    _check_ratios(task)
    _check_participants(participants, task.lead_department)
    task.save()
    task.scope_tags.set(scope_tags)
    _set_participants(task, participants)
    audit_record(
        actor=actor,
        event_type=events.TASK_CREATED,
        target=task,
        data={
            "number": task.number,
            "participants": _participants_data(participants),
            "ratios": {k: str(v) for k, v in task.ratios().items()},
            "floor": str(task.floor_ratio),
            "practice": task.is_practice,
        },
    )
    return task


@transaction.atomic
def task_update(
    *,
    actor: User | None,
    task: Task,
    values: dict[str, Any],
    participants: Sequence[Participant],
    scope_tags: Sequence[Tag] = (),
) -> Task:
    """Change a task while it is a draft; afterwards its terms are fixed."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    _require_lead(actor, task.lead_department)
    if task.state != TaskState.DRAFT:
        raise ValidationError("任务已发布，不能再修改抽查范围、比例和事项")
    before = {f: str(getattr(task, f)) for f in TASK_FIELDS}
    for field, value in values.items():
        if field not in TASK_FIELDS:
            raise ValueError(f"unknown task field {field}")
        setattr(task, field, value)
    _require_lead(actor, task.lead_department)
    task.full_clean()
    _check_ratios(task)
    _check_participants(participants, task.lead_department)
    task.save()
    task.scope_tags.set(scope_tags)
    _set_participants(task, participants)
    audit_record(
        actor=actor,
        event_type=events.TASK_UPDATED,
        target=task,
        data={
            "changes": model_diff(before, {f: str(getattr(task, f)) for f in TASK_FIELDS}),
            "participants": _participants_data(participants),
        },
    )
    return task


@transaction.atomic
def task_transition(
    *,
    actor: User | None,
    task: Task,
    to: str,
    step: str,
    note: str = "",
    data: Mapping[str, object] | None = None,
) -> Task:
    """Move a task along its state machine by a named step; start and end its time limits.

    Every move belongs to a step (``core.taskflow``); the step's own service checks its
    preconditions and passes ``step`` (the task's named steps are in
    ``spotcheck.workflow.task_steps``).  ``data`` adds facts to the audit record (the
    reason for publishing after the check window, say).  Reaching 已公示 completes the
    task's 20-working-day limit to enter and publish the results; reaching 已办结
    completes its limit for follow-up disposal.
    """
    task = Task.objects.select_for_update().select_related("lead_department").get(pk=task.pk)
    role = taskflow.SYSTEM if actor is None else actor.role
    transition = taskflow.transition_for(task.state, to, role, step=step)
    if actor is not None:
        _require_lead(actor, task.lead_department)
    source = task.state
    task.state = to
    task.save(update_fields=["state", "updated_at"])
    deadlines = _open_deadlines(actor, task, transition) if transition.deadline_days else []
    _complete_deadlines(actor, task, _DEADLINES_ENDED_BY.get(to, ""))
    audit_record(
        actor=actor,
        event_type=events.TASK_TRANSITIONED,
        target=task,
        data={
            "from": source,
            "to": to,
            "step": step,
            "note": note,
            "deadlines": deadlines,
            **(data or {}),
        },
    )
    return task


def _open_deadlines(actor: User | None, task: Task, transition: taskflow.Transition) -> list[str]:
    """Start the time limit the move carries: each participant's, or the lead office's."""
    to = transition.target
    today = timezone.localdate()
    departments = (
        [p.department for p in task.participants.select_related("department")]
        if to == TaskState.CONFIRMING
        else [task.lead_department]
    )
    due = []
    for department in departments:
        deadline = deadline_open(
            actor=actor,
            kind=_DEADLINE_KINDS[to],
            title=f"{task.number}：{transition.deadline_label}",
            department=department,
            start_event=f"任务{taskflow.STATE_LABELS[to]}",
            start_date=today,
            working_days=transition.deadline_days or 0,
            target=task,
            target_url=f"/tasks/{task.pk}/",
        )
        due.append(deadline.due_date.isoformat())
    return due


def _complete_deadlines(actor: User | None, task: Task, kind: str) -> None:
    """Complete the task's open limits of ``kind``: the work they wait for is done."""
    if not kind:
        return
    for deadline in Deadline.objects.filter(
        target_type=Task._meta.label_lower,
        target_id=str(task.pk),
        kind=kind,
        state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE),
    ):
        deadline_complete(actor=actor, deadline=deadline)


_DEADLINE_KINDS = {
    TaskState.CONFIRMING: DeadlineKind.CONFIRM_OBJECTS,
    TaskState.ENTERING: DeadlineKind.ENTER_RESULTS,
    TaskState.DISPOSING: DeadlineKind.DISPOSAL,
}

# the limits a move ends: the results are all published, the task is closed
_DEADLINES_ENDED_BY = {
    TaskState.PUBLICISED: DeadlineKind.ENTER_RESULTS,
    TaskState.CLOSED: DeadlineKind.DISPOSAL,
}
