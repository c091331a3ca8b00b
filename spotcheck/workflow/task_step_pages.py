"""The task's named steps on the task page, and the one view that takes them.

``task_steps_for_user`` tells the task page which steps the viewer may take now, each
either ready (a button) or blocked (greyed, with the Chinese list of what is missing).
``task_step_view`` (``campaigns:task_step``, ``tasks/<pk>/steps/<step>/``) asks once on
the confirmation page what the step does and what follows from it, then runs the step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_can_organise, task_get_for_user
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.core import taskflow, taskguards
from spotcheck.core.errors import DomainError
from spotcheck.workflow.task_snapshot import task_snapshot
from spotcheck.workflow.task_steps import STEP_SERVICES, StepBlocked, task_publish

# the steps a person takes from the task page, in the order of the task's life
OFFERED = (
    taskflow.PUBLISH,
    taskflow.WITHDRAW,
    taskflow.START_CHECKING,
    taskflow.FINISH_CHECKING,
    taskflow.PUBLICISE,
    taskflow.CLOSE,
)

# what each step does, shown under its button and on the confirmation page
_MEANS: dict[str, list[str]] = {
    taskflow.PUBLISH: [
        "任务发布后各参与部门可见，可以发起随机抽取；任务内容不能再修改",
        "抽取公告之前，可以“撤回为草稿”修改后重新发布",
    ],
    taskflow.WITHDRAW: [
        "任务撤回为草稿，可以修改抽查范围、比例和事项后重新发布",
    ],
    taskflow.START_CHECKING: [
        "各检查组按一企一表开始现场检查",
        "此后不能再随机匹配或重新抽取",
    ],
    taskflow.FINISH_CHECKING: [
        "现场检查结束，任务转为“结果录入中”，开始计算“录入并公示抽查结果”的20个工作日时限",
        "全部抽查结果均已公示的，任务随即转为“已公示”",
    ],
    taskflow.PUBLICISE: [
        "任务转为“已公示”，表示本任务的抽查结果已全部公示，“录入并公示抽查结果”时限完成",
        "有尚未办结的后续处置事项的，任务随即转入“后续处置中”，开始计算20个工作日时限",
    ],
    taskflow.CLOSE: [
        "任务办结，后续处置时限完成，此后不再进行任何环节",
    ],
}

# steps that can be undone by another step (发布 ↔ 撤回为草稿)
_REVERSIBLE = frozenset({taskflow.PUBLISH, taskflow.WITHDRAW})
_DANGER = frozenset({taskflow.WITHDRAW, taskflow.CLOSE})


@dataclass(frozen=True)
class StepView:
    """One step as the task page shows it: ready, or blocked with what is missing."""

    name: str
    label: str
    url: str
    blockers: list[str] = field(default_factory=list)
    means: list[str] = field(default_factory=list)
    needs_reason: bool = False  # 发布任务 after the check window: a reason is asked for
    danger: bool = False

    @property
    def available(self) -> bool:
        return not self.blockers


def _offered(user: User, task: Task) -> list[str]:
    if not task_can_organise(user, task):
        return []
    steps = []
    for step in OFFERED:
        transition = taskflow.step_transition(task.state, step)
        if transition is not None and user.role in transition.actors:
            steps.append(step)
    return steps


def task_steps_for_user(user: User, task: Task) -> list[StepView]:
    """The steps ``user`` may take on ``task`` now, each ready or with its blockers."""
    views = []
    for step in _offered(user, task):
        snapshot = task_snapshot(task, step)
        late = step == taskflow.PUBLISH and taskguards.is_late(snapshot)
        views.append(
            StepView(
                name=step,
                label=taskflow.STEP_LABELS[step],
                url=reverse("campaigns:task_step", args=[task.pk, step]),
                blockers=taskguards.blockers(step, snapshot, late_reason=None if late else ""),
                means=_MEANS[step],
                needs_reason=late,
                danger=step in _DANGER,
            )
        )
    return views


def _confirmation(task: Task, step: str, late_reason: str, late: bool) -> Confirmation:
    label = taskflow.STEP_LABELS[step]
    details = [("任务", f"{task.number} {task.name}"), ("当前状态", task.get_state_display())]
    warnings = []
    if late:
        details.append(("发布理由", late_reason))
        warnings.append(
            f"检查时间已于{taskguards.day_label(task.window_end)}结束；发布理由记入审计日志"
        )
    return Confirmation(
        title=f"确认{label}",
        details=details,
        consequences=[*_MEANS[step], "记入任务的办理过程和审计日志"],
        warnings=warnings,
        button=f"确认{label}",
        back_url=reverse("campaigns:task_detail", args=[task.pk]),
        danger=step in _DANGER,
        irreversible=step not in _REVERSIBLE,
    )


def _take(request: HttpRequest, task: Task, step: str, late_reason: str) -> Task:
    if step == taskflow.PUBLISH:
        return task_publish(actor=request.user, task=task, late_reason=late_reason)  # type: ignore[arg-type]
    return STEP_SERVICES[step](actor=request.user, task=task)  # type: ignore[operator]


def _refuse(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, StepBlocked):
        label = taskflow.STEP_LABELS[exc.step]
        messages.error(request, f"现在不能“{label}”，还须：" + "；".join(exc.blockers))
    else:
        messages.error(request, str(exc.args[0]) if exc.args else "操作失败")


@login_required
@require_POST
def task_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    if step not in STEP_SERVICES or not task_can_organise(request.user, task):
        raise Http404
    late_reason = request.POST.get("late_reason", "").strip()
    snapshot = task_snapshot(task, step)
    found = taskguards.blockers(step, snapshot, late_reason=late_reason)
    if found:
        _refuse(request, StepBlocked(step, found))
        return redirect("campaigns:task_detail", pk=pk)
    late = step == taskflow.PUBLISH and taskguards.is_late(snapshot)
    asked = confirm_first(request, _confirmation(task, step, late_reason, late))
    if asked is not None:
        return asked
    try:
        moved = _take(request, task, step, late_reason)
    except (DomainError, PermissionDenied, ValidationError) as exc:
        _refuse(request, exc)
    else:
        messages.success(
            request, f"已{taskflow.STEP_LABELS[step]}，任务现为“{moved.get_state_display()}”"
        )
    return redirect("campaigns:task_detail", pk=pk)
