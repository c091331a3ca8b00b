"""Grouping (编组) and the final matching of a drawn task (DRAW-v1.1, spec §10.1).

The lead office opens grouping once every department confirmed its list; each
department then claims (spotcheck.draws.dispatch); matching runs once on the final list.
Matching is one step with the 一企一表 records it produces: the workflow
(``spotcheck.workflow.matching.task_match``) runs ``draw_match``, generates the records
and only then stores the final files with ``final_files_store``, in one transaction.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import task_transition
from spotcheck.core.draw import DrawOutcome
from spotcheck.core.draw.canonical import canonical_json
from spotcheck.core.draw.final import FinalMatching
from spotcheck.draws.attempts import drawn_for, locked
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt
from spotcheck.draws.outcomes import final_of
from spotcheck.draws.storage import store_files


@transaction.atomic
def grouping_start(*, actor: User, task: Task) -> Task:
    """The lead office opens grouping (编组) once every department has confirmed its list."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以开始编组")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == TaskState.GROUPING:
        raise ValidationError("任务已在编组中")
    if task.state != TaskState.CONFIRMED:
        raise ValidationError("各部门确认名单后（任务“已确认”）才能开始编组")
    drawn_for(task)
    return task_transition(
        actor=actor,
        task=task,
        to=TaskState.GROUPING,
        step="grouping",
        note="开始认领与抽取执法人员",
    )


def _matchable(actor: User, task: Task) -> Task:
    """Lock the task and refuse a second matching, a task not in 编组中, a pending redraw."""
    if not access_tasks_for_organising(actor):
        raise PermissionDenied("只有牵头单位管理员可以随机匹配")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == TaskState.MATCHED or task.records.exists():
        raise ValidationError("本任务已完成随机匹配，不会重复匹配")
    if task.state != TaskState.GROUPING:
        raise ValidationError("只有“编组中”的任务可以随机匹配")
    pending = task.draw_attempts.filter(status=AttemptStatus.REQUESTED).first()
    if pending is not None:
        raise ValidationError(
            f"本任务有待{pending.approved_by}批准的重新抽取申请，须待批准人决定"
            "或牵头单位撤回该申请后才能随机匹配"
        )
    return task


def _check_claims(attempt: DrawAttempt, outcome: DrawOutcome, final: FinalMatching) -> None:
    """Every department with final objects claimed, and drew what the draw recomputes."""
    claimed = {c.department.name: c for c in attempt.claims.select_related("department")}
    missing = [
        d for d in outcome.announcement.departments if d not in claimed and final.entities_of(d)
    ]
    if missing:
        raise ValidationError(f"以下部门尚未认领并抽取执法人员：{'、'.join(missing)}")
    by_department = outcome.inspectors.by_department()
    for name, claim in claimed.items():
        if claim.certificates != [r.certificate_no for _, r in by_department[name].drawn]:
            raise ValidationError(f"{name}认领时抽取的执法人员与重新计算的结果不一致")


@transaction.atomic
def draw_match(*, actor: User, task: Task) -> FinalMatching:
    """Match groups to the final list (DRAW-v1.1) and record the matching on the attempt.

    Runs only once: the task row is locked and its state checked, so a double click
    matches once and the second click gets a clear message.  The records and the stored
    files follow in the same transaction (``spotcheck.workflow.matching.task_match``).
    """
    task = _matchable(actor, task)
    attempt = locked(drawn_for(task))
    outcome, final = final_of(attempt)
    _check_claims(attempt, outcome, final)
    final_json = canonical_json(final.final_json())  # final.json, as final.files() has it
    attempt.final_result = final_json.decode("utf-8")
    attempt.matched_at = timezone.now()
    attempt.matched_by = actor
    attempt.save(update_fields=["final_result", "matched_at", "matched_by"])
    m = final.matching
    audit_record(
        actor=actor,
        event_type=events.DRAW_MATCHED,
        target=task,
        data={
            "attempt": attempt.number,
            "enterprises": len(final.entities),
            "groups": len(m.groups),
            "replacements": len(final.replacements),
            "infeasible": [[x.entity_id, x.department] for x in m.infeasible],
            "specialist_needed": [
                [x.entity_id, x.department, x.qualification] for x in m.specialists
            ],
            "final_sha256": hashlib.sha256(final_json).hexdigest(),
        },
    )
    return final


def final_files_store(*, task: Task, final: FinalMatching) -> None:
    """Store the matched attempt's replacements.tsv, final.json and final_groups.tsv.

    The last step of matching: should a write fail, the transaction rolls back.
    """
    attempt = drawn_for(task)
    if attempt.matched_at is None:
        raise ValidationError("任务尚未完成随机匹配")
    # replacements.tsv too, as it was when matched
    store_files(attempt, final.files())
