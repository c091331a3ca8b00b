"""The lead office's task board, a department's inbox, task pages and their moves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.accounts.choices import Role
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.forms import PlanForm, TaskForm, TransitionForm
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import (
    plan_list_for_user,
    task_can_organise,
    task_deadlines,
    task_get_for_user,
    task_list_for_user,
    task_next_states,
    task_timeline,
)
from spotcheck.campaigns.services import plan_create, task_create, task_transition, task_update
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.common.forms import add_service_errors
from spotcheck.core import taskflow
from spotcheck.core.errors import DomainError
from spotcheck.draws.forms import RefuseForm, prepare_form
from spotcheck.draws.selectors import (
    attempts_of,
    drawn_attempt,
    grouping_overview,
    redraw_overview,
    stratum_shortfalls,
)
from spotcheck.inspections.selectors.records import joint_record_list_for_user
from spotcheck.workflow.inbox import board_figures

_ORGANISERS = (Role.LEAD_ADMIN, Role.PLATFORM_ADMIN)


@login_required
def task_board(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in TaskState.values:
        state = ""
    tasks = list(task_list_for_user(request.user, state=state))
    figures = board_figures(tasks)
    for task in tasks:
        task.figures = figures[task.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "campaigns/task_board.html",
        {
            "tasks": tasks,
            "state": state,
            "states": TaskState.choices,
            "can_create": request.user.role in _ORGANISERS,
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    grouping = grouping_overview(task, request.user)
    next_states = task_next_states(request.user, task)
    if grouping is not None:  # 编组 has its own button, with the claims beside it
        next_states = [(v, label) for v, label in next_states if v != TaskState.GROUPING]
    redraw = redraw_overview(task, request.user)
    return render(
        request,
        "campaigns/task_detail.html",
        {
            "task": task,
            "participants": task.participants.all(),
            "timeline": task_timeline(task),
            "deadlines": task_deadlines(task),
            "next_states": next_states,
            "grouping": grouping,
            "shortfalls": stratum_shortfalls(drawn_attempt(task)),
            "redraw": redraw,
            "redraw_form": prepare_form(task, request.user)
            if redraw and redraw["can_request"]
            else None,
            "redraw_open": grouping is not None
            and any(d["no_eligible"] for d in grouping["departments"]),
            "refuse_form": RefuseForm(),
            "attempts": attempts_of(task),
            "can_edit": task_can_organise(request.user, task) and task.state == TaskState.DRAFT,
            "record_count": joint_record_list_for_user(request.user, task_id=task.pk).count(),
        },
    )


@login_required
def task_create_view(request: HttpRequest) -> HttpResponse:
    if request.user.role not in _ORGANISERS:
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
        {"plans": plan_list_for_user(request.user), "can_create": request.user.role in _ORGANISERS},
    )


@login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    if request.user.role not in _ORGANISERS:
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
