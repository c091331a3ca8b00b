"""Plans and tasks: create and edit them (the task board, the task page and the task's named
steps, which read every context of a task, are in ``spotcheck.workflow``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.campaigns.forms import PlanForm, TaskForm
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import (
    plan_list_for_user,
    task_can_organise,
    task_get_for_user,
)
from spotcheck.campaigns.services import plan_create, task_create, task_update
from spotcheck.common.forms import add_service_errors


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
