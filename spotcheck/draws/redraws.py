"""Redraws: a second attempt needs a written reason and an official of another role.

The request itself is made by ``draw_prepare`` (spotcheck.draws.ceremony); here the
named official approves or refuses it.  Before matching, an approved redraw supersedes
the drawn attempt, which is kept with everything done on it (docs/domain/redraw.md).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.campaigns.services import task_transition
from spotcheck.core import taskflow
from spotcheck.core.errors import DomainError
from spotcheck.draws.attempts import drawn_for, locked
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt


def _refused(exc: DomainError, field: str | None = None) -> ValidationError:
    return ValidationError({field: str(exc)} if field else str(exc))


def check_redraw_approver(requester: User, approver: User | None) -> None:
    """The one rule for every redraw: an approver of another role, never the requester."""
    if approver is None:
        raise ValidationError({"approved_by": "重新抽取须由另一角色的官员批准"})
    try:
        taskflow.check_redraw_approval(
            requester=requester.username,
            requester_role=requester.role,
            approver=approver.username,
            approver_role=approver.role,
        )
    except taskflow.RedrawRefused as exc:
        raise _refused(exc, "approved_by") from exc


def refuse_redraw_after_matching(task: Task) -> None:
    """Matching generated the records from this draw: no redraw can take it back."""
    try:
        taskflow.check_redraw_state(task.state)
    except taskflow.RedrawRefused as exc:
        raise _refused(exc) from exc
    if task.records.exists():
        raise ValidationError(
            "本任务已生成一企一表，不能重新抽取：记录表已按本次抽取结果生成，"
            "重新抽取会使这些记录失去依据。"
        )


def _requested(actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """Lock a redraw request that the named approver is about to decide."""
    attempt = locked(attempt)
    if attempt.status != AttemptStatus.REQUESTED:
        decided = {
            AttemptStatus.REFUSED: "已决定不予批准",
            AttemptStatus.ABANDONED: "已由牵头单位撤回",
        }.get(attempt.status, "已经批准")
        raise ValidationError(f"第{attempt.number}次抽取的重新抽取申请{decided}，不会重复处理")
    if attempt.approved_by_id != actor.pk:
        raise PermissionDenied(f"只有申请中指定的批准人（{attempt.approved_by}）可以批准或不批准")
    return attempt


def _supersede(task: Task, attempt: DrawAttempt) -> DrawAttempt:
    """Supersede the drawn attempt a request names; its claims and confirmations stay."""
    refuse_redraw_after_matching(task)
    current = drawn_for(task)
    if attempt.supersedes_id != current.pk:
        raise ValidationError("申请作废的抽取已不是本任务当前的抽取结果，请重新申请")
    current = locked(current)
    current.confirmations = [
        {"department": p.department.name, "confirmed_at": p.confirmed_at.isoformat()}
        for p in task.participants.select_related("department")
        if p.confirmed_at is not None
    ]
    # the next attempt is dispatched afresh, and every department confirms its new list
    TaskDepartment.objects.filter(task=task).update(confirmed_at=None)
    current.move(AttemptStatus.SUPERSEDED)
    current.superseded_at = timezone.now()
    current.save(update_fields=["status", "confirmations", "superseded_at"])
    return current


@transaction.atomic
def draw_redraw_approve(*, actor: User, attempt: DrawAttempt) -> DrawAttempt:
    """The official named in a redraw request approves it; a second click does nothing.

    On a drawn task (已确认 or 编组中) the drawn attempt becomes superseded: it is kept
    with its dispatched objects, replacements, claims and the departments' confirmations,
    and its bundle still verifies; the task goes back to 已发布 for a new announcement.
    """
    task = Task.objects.select_for_update().get(pk=attempt.task_id)
    attempt = _requested(actor, attempt)
    check_redraw_approver(attempt.created_by, actor)
    superseded = _supersede(task, attempt) if attempt.supersedes_id is not None else None
    attempt.move(AttemptStatus.COMMITTING)
    attempt.approved_at = timezone.now()
    attempt.save(update_fields=["status", "approved_at"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_REDRAW_APPROVED,
        target=task,
        data={
            "attempt": attempt.number,
            "reason": attempt.redraw_reason,
            "requested_by": attempt.created_by.username,
            "superseded": superseded.number if superseded else None,
            "claims": sorted(superseded.claims.values_list("department__name", flat=True))
            if superseded
            else [],
            "confirmations": superseded.confirmations if superseded else [],
        },
    )
    if superseded is not None:
        task_transition(
            actor=None,
            task=task,
            to=TaskState.PUBLISHED,
            note=f"经批准重新抽取，第{superseded.number}次抽取作废",
            step="redraw",
        )
    return attempt


@transaction.atomic
def draw_redraw_refuse(*, actor: User, attempt: DrawAttempt, reason: str) -> DrawAttempt:
    """The official named in a redraw request refuses it, in writing; nothing else changes."""
    attempt = _requested(actor, attempt)
    if not reason.strip():
        raise ValidationError({"reason": "不批准须写明理由"})
    attempt.move(AttemptStatus.REFUSED)
    attempt.refused_reason = reason.strip()
    attempt.save(update_fields=["status", "refused_reason"])
    audit_record(
        actor=actor,
        event_type=events.DRAW_REDRAW_REFUSED,
        target=attempt.task,
        data={"attempt": attempt.number, "reason": attempt.refused_reason},
    )
    return attempt
