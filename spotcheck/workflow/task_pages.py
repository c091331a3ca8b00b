"""The task board and the task page: one task seen through every context it touches.

The board shows each task's figures from inspections and deadlines; the task page shows
the task with its draw, redraw, grouping and records. Both read through each context's
own ``*_for_user`` selectors and change nothing.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from spotcheck.access.gates import access_tasks_for_organising
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.selectors import (
    task_can_organise,
    task_deadlines,
    task_get_for_user,
    task_list_for_user,
    task_timeline,
)
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
from spotcheck.workflow.task_map import task_map
from spotcheck.workflow.task_step_pages import task_steps_for_user


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
            "can_create": access_tasks_for_organising(request.user),
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_get_for_user(request.user, pk)
    grouping = grouping_overview(task, request.user)
    redraw = redraw_overview(task, request.user)
    return render(
        request,
        "campaigns/task_detail.html",
        {
            "task": task,
            "participants": task.participants.all(),
            "timeline": task_timeline(task),
            "deadlines": task_deadlines(task),
            "task_steps": task_steps_for_user(request.user, task),
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
            "stages": task_map(task, request.user, today=timezone.localdate()),
        },
    )
