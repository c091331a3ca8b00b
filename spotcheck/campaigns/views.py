"""Plans and tasks: create, edit and move them (the task board and the task page, which
show every context of a task, are in ``spotcheck.workflow.task_pages``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.forms import PlanForm, TaskForm, TransitionForm
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import (
    plan_list_for_user,
    task_can_organise,
    task_get_for_user,
)
from spotcheck.campaigns.services import plan_create, task_create, task_transition, task_update
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.common.forms import add_service_errors
from spotcheck.core import taskflow
from spotcheck.core.errors import DomainError


@login_required
def task_create_view(request: HttpRequest) -> HttpResponse:
    if not access_tasks_for_organising(request.user):
        raise Http404
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = task_create(actor=request.user, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc, renamed={"participants": "items"})
        else:
            messages.success(request, f"已创建任务（草稿）：{task.number}")
            return redirect("campaigns:task_detail", pk=task.pk)
    return render(request, "campaigns/task_form.html", {"form": form, "task": None})


@login_required
def task_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    if not task_can_organise(request.user, task):
        raise Http404
    form = TaskForm(request.POST or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task_update(actor=request.user, task=Task.objects.get(pk=pk), **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc, renamed={"participants": "items"})
        else:
            messages.success(request, "已保存修改")
            return redirect("campaigns:task_detail", pk=pk)
    return render(request, "campaigns/task_form.html", {"form": form, "task": task})


@login_required
@require_POST
def task_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    if not task_can_organise(request.user, task):
        raise Http404
    form = TransitionForm(request.POST)
    if form.is_valid():
        asked = confirm_first(request, _transition_confirmation(task, form.cleaned_data["to"]))
        if asked is not None:
            return asked
        try:
            moved = task_transition(
                actor=request.user,
                task=task,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except (DomainError, PermissionDenied, ValidationError) as exc:
            messages.error(request, str(exc.args[0]) if exc.args else "操作失败")
        else:
            messages.success(request, f"任务已变为“{moved.get_state_display()}”")
    return redirect("campaigns:task_detail", pk=pk)


_MOVE_MEANS = {
    TaskState.PUBLISHED: "任务发布后各参与部门可见，可以发起随机抽取；任务内容不能再修改",
    TaskState.DRAFT: "任务撤回为草稿，可以修改后重新发布",
    TaskState.CHECKING: "各检查组开始现场检查",
    TaskState.PUBLICISED: "表示本任务的抽查结果已全部公示",
    TaskState.CLOSED: "任务办结，不再进行任何环节",
}


def _transition_confirmation(task: Task, to: str) -> Confirmation:
    """What a plain state move does: the new state, the time limit it starts, and whether
    the task can still move on afterwards."""
    source, target = task.get_state_display(), TaskState(to).label
    lines = [f"任务从“{source}”变为“{target}”，记入办理过程和审计日志"]
    if to in _MOVE_MEANS:
        lines.append(_MOVE_MEANS[TaskState(to)])
    for t in taskflow.TRANSITIONS:
        if (t.source, t.target) == (task.state, to) and t.deadline_days:
            lines.append(f"开始计算“{t.deadline_label}”的 {t.deadline_days} 个工作日时限")
    if not any(t.source == to for t in taskflow.TRANSITIONS):
        lines.append("此后任务状态不能再变更")
    return Confirmation(
        title=f"确认将任务变为“{target}”",
        details=[("任务", f"{task.number} {task.name}")],
        consequences=lines,
        button=f"确认变为“{target}”",
        back_url=reverse("campaigns:task_detail", args=[task.pk]),
        danger=to in (TaskState.CLOSED, TaskState.DRAFT),
        # 发布 and 撤回为草稿 undo each other; every other plain move is final
        irreversible=to not in (TaskState.PUBLISHED, TaskState.DRAFT),
    )


@login_required
def plan_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaigns/plan_list.html",
        {
            "plans": plan_list_for_user(request.user),
            "can_create": access_tasks_for_organising(request.user),
        },
    )


@login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    if not access_tasks_for_organising(request.user):
        raise Http404
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc, renamed={"participants": "items"})
        else:
            messages.success(request, "已创建年度抽查计划")
            return redirect("campaigns:plan_list")
    return render(request, "campaigns/plan_form.html", {"form": form})
