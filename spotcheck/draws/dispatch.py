"""After the draw: dispatch, send-back and replacement, confirmation, claims.

The drawn list goes to every participating department, which has 2 working days to
compare and confirm it (docs/domain/dispatch.md).  An object may be sent back only for
a reason the announcement declared; the next reserve entity of its stratum takes its
place (DRAW-v1.1).  Once grouping starts, each department claims its final objects and
draws its inspectors (DRAW-v1 §8).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_department_for_administering, access_tasks_for_organising
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.campaigns.services import task_transition
from spotcheck.core.draw.matching import DepartmentDraw
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadline_complete
from spotcheck.draws.attempts import drawn_for
from spotcheck.draws.choices import AttemptStatus, ObjectState
from spotcheck.draws.models import DepartmentClaim, DrawnObject
from spotcheck.draws.outcomes import final_of
from spotcheck.draws.selectors import declared_reasons, next_successor
from spotcheck.draws.storage import stored_selection

# ---------------------------------------------------------------- dispatch and send-back


@transaction.atomic
def draw_dispatch(*, actor: User, task: Task) -> list[DrawnObject]:
    """Dispatch the drawn list to every participating department; their 2 working days start."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以派发")
    task = Task.objects.select_for_update().get(pk=task.pk)
    attempt = task.draw_attempts.filter(status=AttemptStatus.DRAWN).order_by("-number").first()
    if attempt is None or task.state != TaskState.DRAWN:
        raise ValidationError("任务尚未完成抽取，不能派发")
    objects = [
        DrawnObject.objects.create(attempt=attempt, entity_code=entity_id, stratum=stratum)
        for stratum, kind, entity_id in stored_selection(attempt)
        if kind == "selected"
    ]
    task_transition(actor=actor, task=task, to=TaskState.DISPATCHED, step="dispatch")
    # comparing and confirming starts at once, for every department (seed plan §四(一))
    task_transition(
        actor=None,
        task=task,
        to=TaskState.CONFIRMING,
        step="dispatch",
        note="派发后自动开始比对确认",
    )
    audit_record(
        actor=actor,
        event_type=events.DRAW_DISPATCHED,
        target=task,
        data={"attempt": attempt.number, "objects": [o.entity_code for o in objects]},
    )
    return objects


def dispatch_withdraw_refusal(task: Task) -> str:
    """Why the dispatch of ``task`` cannot be withdrawn now ("" when it can): only while
    every department is still comparing and nothing has been confirmed or sent back."""
    if task.state != TaskState.CONFIRMING:
        return "只有“部门确认中”的任务可以撤回派发"
    if task.participants.filter(confirmed_at__isnull=False).exists():
        return "已有部门确认了派发名单，派发不能撤回"
    if DrawnObject.objects.filter(attempt__task=task).exclude(state=ObjectState.PENDING).exists():
        return "已有检查对象被确认或退回，派发不能撤回"
    return ""


@transaction.atomic
def draw_dispatch_withdraw(*, actor: User, task: Task) -> Task:
    """Take a dispatch back before anyone acted on it: the dispatched list and its time
    limits are removed and the task is 已抽取 again, ready to be dispatched anew."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以撤回派发")
    task = Task.objects.select_for_update().get(pk=task.pk)
    refusal = dispatch_withdraw_refusal(task)
    if refusal:
        raise ValidationError(refusal)
    objects = DrawnObject.objects.filter(attempt__task=task)
    codes = list(objects.order_by("id").values_list("entity_code", flat=True))
    objects.delete()
    limits, _ = Deadline.objects.filter(
        target_type="campaigns.task",
        target_id=str(task.pk),
        kind=DeadlineKind.CONFIRM_OBJECTS,
    ).delete()
    task_transition(actor=actor, task=task, to=TaskState.DRAWN, step="undispatch")
    audit_record(
        actor=actor,
        event_type=events.DRAW_DISPATCH_WITHDRAWN,
        target=task,
        data={"objects": codes, "deadlines_removed": limits},
    )
    return task


def _require_participant(actor: User, task: Task) -> TaskDepartment:
    allowed = writable_department_ids(actor)
    roles = task.participants.select_related("department")
    mine = [p for p in roles if allowed is None or p.department_id in allowed]
    if not access_department_for_administering(actor) or not mine:
        raise PermissionDenied("只有参与部门的管理员可以比对确认")
    return mine[0]


def _stale(obj: DrawnObject) -> str:
    successor = DrawnObject.objects.filter(replaces=obj).values_list("entity_code", flat=True)
    if obj.state == ObjectState.REPLACED:
        done = f"已退回，由 {successor.first()} 替补" if successor.exists() else "已退回，未替补"
    elif obj.state == ObjectState.CONFIRMED:
        done = "已确认"
    else:
        done = "状态已变化"
    return f"{obj.entity_code} {done}，本次未退回。页面上的名单已过期，请刷新后核对"


def drawn_object_replace_check(*, actor: User, obj: DrawnObject, expected_state: str) -> None:
    """Refuse (in Chinese) what ``drawn_object_replace`` would refuse before any reason is read:
    scope, the confirmation period, and a row no longer in the state the page showed."""
    task = obj.attempt.task
    _require_participant(actor, task)
    if task.state != TaskState.CONFIRMING:
        raise ValidationError("只有在部门确认期间可以退回对象")
    if obj.state != ObjectState.PENDING or expected_state != obj.state:
        raise ValidationError(_stale(obj))


def _check_reason_and_note(obj: DrawnObject, reason: str, note: str) -> str:
    """A reason the announcement declared and a written note; return the note, stripped."""
    declared = declared_reasons(obj.attempt)
    if reason not in dict(declared):
        names = "、".join(label for _value, label in declared)
        raise ValidationError({"reason": f"请选择退回理由：须为抽取公告声明的理由（{names}）"})
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": "请填写情况说明：写明核实的情况和依据（如注销日期、实地核查结果）"}
        )
    return note


@transaction.atomic
def drawn_object_replace(
    *, actor: User, obj: DrawnObject, reason: str, note: str, expected_state: str
) -> DrawnObject | None:
    """Send back an object for a declared reason with a written note; the next reserve of
    its stratum takes its place.

    ``expected_state`` is the state the page showed: a row changed since (a double click,
    a stale list) is refused and nothing is written.  Returns the replacement, or None when
    the stratum's reserve list is used up (the object leaves without a successor).
    """
    obj = DrawnObject.objects.select_for_update().select_related("attempt__task").get(pk=obj.pk)
    task = obj.attempt.task
    drawn_object_replace_check(actor=actor, obj=obj, expected_state=expected_state)
    note = _check_reason_and_note(obj, reason, note)
    number, successor_id = next_successor(obj)
    obj.state = ObjectState.REPLACED
    obj.replace_reason = reason
    obj.replace_note = note
    obj.replaced_by = actor
    obj.replace_number = number
    obj.full_clean()
    obj.save()
    successor = None
    if successor_id is not None:
        successor = DrawnObject.objects.create(
            attempt=obj.attempt,
            entity_code=successor_id,
            stratum=obj.stratum,
            from_reserve=True,
            replaces=obj,
        )
    audit_record(
        actor=actor,
        event_type=events.DRAW_OBJECT_REPLACED,
        target=task,
        data={
            "entity": obj.entity_code,
            "reason": reason,
            "note": obj.replace_note,
            "replacement": successor_id,
        },
    )
    return successor


# ---------------------------------------------------------------- confirmation


def _confirming_participant(
    actor: User, task: Task, on_behalf_of: TaskDepartment | None, reason: str
) -> TaskDepartment:
    """The actor's own department, or the overdue one the lead office confirms for."""
    if on_behalf_of is None:
        return _require_participant(actor, task)
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位可以代为确认")
    if not reason.strip():
        raise ValidationError({"reason": "代为确认须写明理由"})
    overdue = Deadline.objects.filter(
        target_type="campaigns.task",
        target_id=str(task.pk),
        department=on_behalf_of.department,
        state=DeadlineState.OVERDUE,
    ).exists()
    if not overdue:
        raise ValidationError("该部门的确认时限尚未超期，须由该部门自行确认")
    return on_behalf_of


@transaction.atomic
def department_confirm(
    *, actor: User, task: Task, on_behalf_of: TaskDepartment | None = None, reason: str = ""
) -> TaskDepartment:
    """A department confirms the dispatched list; the lead office may confirm for a
    department that let its 2 working days pass, with a reason (docs/domain/dispatch.md)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state != TaskState.CONFIRMING:
        raise ValidationError("任务不在部门确认阶段")
    participant = _confirming_participant(actor, task, on_behalf_of, reason)
    participant = TaskDepartment.objects.select_for_update().get(pk=participant.pk)
    if participant.confirmed_at is not None:
        raise ValidationError(f"{participant.department.name}已确认，无需重复确认")
    participant.confirmed_at = timezone.now()
    participant.save(update_fields=["confirmed_at"])
    for deadline in Deadline.objects.filter(
        target_type="campaigns.task",
        target_id=str(task.pk),
        department=participant.department,
        state__in=(DeadlineState.OPEN, DeadlineState.OVERDUE),
    ):
        deadline_complete(actor=actor, deadline=deadline)
    audit_record(
        actor=actor,
        event_type=events.DRAW_DEPARTMENT_CONFIRMED,
        target=task,
        data={
            "department": participant.department.name,
            "on_behalf": on_behalf_of is not None,
            "reason": reason.strip(),
        },
    )
    if not task.participants.filter(confirmed_at__isnull=True).exists():
        DrawnObject.objects.filter(
            attempt__task=task, attempt__status=AttemptStatus.DRAWN, state=ObjectState.PENDING
        ).update(state=ObjectState.CONFIRMED)
        task_transition(
            actor=None, task=task, to=TaskState.CONFIRMED, step="confirm", note="各部门均已确认"
        )
    return participant


# ---------------------------------------------------------------- claims and inspector draw


def _claiming_participant(actor: User, task: Task, department_id: int | None) -> TaskDepartment:
    if not access_department_for_administering(actor):
        raise PermissionDenied("只有参与部门的管理员可以认领并抽取执法人员")
    allowed = writable_department_ids(actor)
    mine = [
        p
        for p in task.participants.select_related("department")
        if (allowed is None or p.department_id in allowed)
        and (department_id is None or p.department_id == department_id)
    ]
    if not mine:
        raise PermissionDenied("只有参与部门的管理员可以认领并抽取执法人员")
    if len(mine) > 1:
        raise ValidationError({"department": "请选择代为认领的部门"})
    return mine[0]


def _refuse_without_drawable(name: str, drawn: DepartmentDraw) -> None:
    """A department without a drawable inspector cannot claim; the way out is a redraw."""
    if drawn.drawn:
        return
    raise ValidationError(
        f"{name}在公告冻结的执法人员名录中没有可抽取的人员"
        f"（共{drawn.pool}人，其中在岗且执法证在抽取日有效的0人），无法认领。"
        "请核实执法人员名录中本部门人员的在岗状态和执法证有效期；"
        "公告冻结的人员库不能更改，须由牵头单位在任务页面点击“申请重新抽取”，"
        "写明理由并经另一角色的官员批准后重新公告抽取（新公告冻结更正后的人员名录）。"
        "在此之前本任务不能随机匹配。"
    )


@transaction.atomic
def department_claim(
    *, actor: User, task: Task, department_id: int | None = None
) -> DepartmentClaim:
    """A department claims its final objects and draws its inspectors through DRAW-v1 §8.

    The draw is deterministic: the department's drawable (在岗, certificate valid on the
    draw date) inspectors of the frozen pool, ranked by the attempt's inspectors key.  A
    second click draws nothing.  A department without a drawable inspector is refused
    and the task cannot be matched; the way out is an approved redraw (申请重新抽取),
    whose new announcement freezes the corrected inspector directory.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    department = _claiming_participant(actor, task, department_id).department
    if task.state != TaskState.GROUPING:
        raise ValidationError("只有“编组中”的任务可以认领并抽取执法人员")
    attempt = drawn_for(task)
    if DepartmentClaim.objects.filter(attempt=attempt, department=department).exists():
        raise ValidationError(f"{department.name}已认领并抽取执法人员，不会重复抽取")
    outcome, final = final_of(attempt)
    entities = final.entities_of(department.name)
    if not entities:
        raise ValidationError(f"本任务的最终名单中没有需要{department.name}检查的对象，无需认领")
    drawn = outcome.inspectors.by_department()[department.name]
    _refuse_without_drawable(department.name, drawn)
    claim = DepartmentClaim(
        attempt=attempt,
        department=department,
        claimed_by=actor,
        entity_codes=entities,
        certificates=[row.certificate_no for _, row in drawn.drawn],
        pool_count=drawn.pool,
        eligible_count=drawn.eligible,
    )
    claim.full_clean()
    claim.save()
    audit_record(
        actor=actor,
        event_type=events.DRAW_DEPARTMENT_CLAIMED,
        target=task,
        data={
            "attempt": attempt.number,
            "department": department.name,
            "entities": len(entities),
            "inspectors": claim.certificates,
            "eligible": drawn.eligible,
            "pool": drawn.pool,
        },
    )
    return claim
