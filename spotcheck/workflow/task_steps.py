"""The joint task's named steps: each checks its preconditions, then moves the task.

A step locks the task, reads what its guard needs (``task_snapshot``), asks the guard
(``spotcheck.core.taskguards``) and, when nothing blocks it, moves the task through
``campaigns.services.task_transition``, which writes the audit record and starts or ends
the time limits.  A refused step raises ``StepBlocked`` whose ``blockers`` name, in
Chinese, the records, departments or cases that stand in the way; nothing is written.

The moves an event completes are made by the system in the event's own transaction,
through ``task_advance``: 检查中 → 结果录入中 when every record is signed, 结果录入中 →
已公示 when every result is published, 已公示 → 后续处置中 when follow-up cases are still
open.  The review step (``spotcheck.workflow.records.record_review``) calls it when a
record is approved and published, and so do the lead office's own steps.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_can_organise
from spotcheck.campaigns.services import task_transition
from spotcheck.core import taskflow, taskguards
from spotcheck.core.taskguards import StepBlocked
from spotcheck.workflow.task_snapshot import task_snapshot

__all__ = [
    "StepBlocked",
    "task_advance",
    "task_close",
    "task_finish_checking",
    "task_publicise",
    "task_publish",
    "task_start_checking",
    "task_withdraw",
]

# what the system writes as the note of a move it makes itself
_AUTOMATIC_NOTES = {
    taskflow.FINISH_CHECKING: "全部记录表均已签字确认，自动结束现场检查",
    taskflow.PUBLICISE: "全部抽查结果均已公示，自动转为已公示",
    taskflow.DISPOSE: "有尚未办结的后续处置事项，自动转入后续处置",
}


def _locked(actor: User, task: Task, step: str) -> Task:
    """The task, locked for the step; refused to anyone who does not organise it."""
    task = Task.objects.select_for_update().select_related("lead_department").get(pk=task.pk)
    if not task_can_organise(actor, task):
        raise PermissionDenied(f"只有牵头单位管理员可以“{taskflow.STEP_LABELS[step]}”")
    return task


def _target(task: Task, step: str) -> str:
    transition = taskflow.step_transition(task.state, step)
    if transition is None:  # the guard's state check says why first
        raise StepBlocked(step, taskguards.blockers(step, task_snapshot(task, step)))
    return transition.target


def _run(actor: User, task: Task, step: str, *, late_reason: str = "", note: str = "") -> Task:
    task = _locked(actor, task, step)
    snapshot = task_snapshot(task, step)
    found = taskguards.blockers(step, snapshot, late_reason=late_reason)
    if found:
        raise StepBlocked(step, found)
    data: dict[str, object] = {"step": taskflow.STEP_LABELS[step]}
    if step == taskflow.PUBLISH and taskguards.is_late(snapshot):
        data["reason"] = late_reason.strip()
        note = f"检查时间已过，发布理由：{late_reason.strip()}"
    return task_transition(
        actor=actor, task=task, to=_target(task, step), step=step, note=note, data=data
    )


@transaction.atomic
def task_publish(*, actor: User, task: Task, late_reason: str = "") -> Task:
    """发布任务 (草稿 → 已发布); a task whose check window is over needs ``late_reason``."""
    return _run(actor, task, taskflow.PUBLISH, late_reason=late_reason)


@transaction.atomic
def task_withdraw(*, actor: User, task: Task) -> Task:
    """撤回为草稿 (已发布 → 草稿), while no draw has been announced or prepared."""
    return _run(actor, task, taskflow.WITHDRAW)


@transaction.atomic
def task_start_checking(*, actor: User, task: Task) -> Task:
    """开始检查 (已匹配 → 检查中): every record has a complete group."""
    return _run(actor, task, taskflow.START_CHECKING)


@transaction.atomic
def task_finish_checking(*, actor: User, task: Task) -> Task:
    """结束现场检查 (检查中 → 结果录入中): every record signed; then on as far as it goes."""
    return task_advance(task=_run(actor, task, taskflow.FINISH_CHECKING))


@transaction.atomic
def task_publicise(*, actor: User, task: Task) -> Task:
    """结果公示 (结果录入中 → 已公示): every result published; open cases: 后续处置中."""
    return task_advance(task=_run(actor, task, taskflow.PUBLICISE))


@transaction.atomic
def task_close(*, actor: User, task: Task) -> Task:
    """办结 (已公示 / 后续处置中 → 已办结): every case closed, or transferred and accepted."""
    return _run(actor, task, taskflow.CLOSE)


@transaction.atomic
def task_advance(*, task: Task) -> Task:
    """Make every move an event has completed, as the system, as far as the guards allow.

    Call it in the transaction of the event (a record approved and published, a step of
    the lead office); it does nothing when no automatic move is due.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    while task.state in taskguards.AUTOMATIC:
        step = taskguards.AUTOMATIC[task.state]
        if taskguards.blockers(step, task_snapshot(task, step)):
            break
        task = task_transition(
            actor=None,
            task=task,
            to=_target(task, step),
            step=step,
            note=_AUTOMATIC_NOTES[step],
            data={"step": taskflow.STEP_LABELS[step]},
        )
    return task


STEP_SERVICES = {
    taskflow.PUBLISH: task_publish,
    taskflow.WITHDRAW: task_withdraw,
    taskflow.START_CHECKING: task_start_checking,
    taskflow.FINISH_CHECKING: task_finish_checking,
    taskflow.PUBLICISE: task_publicise,
    taskflow.CLOSE: task_close,
}
