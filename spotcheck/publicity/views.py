"""Public pages: open to everyone, read only, never personal data."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from spotcheck.campaigns.selectors import (
    plan_list_public,
    plan_years_public,
    task_get_public,
    task_list_public,
)
from spotcheck.catalogue.selectors import ItemFilter, item_list
from spotcheck.common.http import download
from spotcheck.draws.selectors import drawn_entities, public_draw_record
from spotcheck.draws.services import draw_bundle_zip
from spotcheck.publicity.forms import PublicFilterForm
from spotcheck.publicity.selectors import public_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/home.html", {"overview": public_overview()})


def item_notice(request: HttpRequest) -> HttpResponse:
    """抽查事项清单."""
    form = PublicFilterForm(request.GET or None, years=[])
    department = form.values()["department"]
    items = item_list(ItemFilter(department=department)).prefetch_related("tags")
    return render(request, "publicity/items.html", {"form": form, "items": items})


def plan_notice(request: HttpRequest) -> HttpResponse:
    """抽查计划公告."""
    form = PublicFilterForm(request.GET or None, years=plan_years_public())
    plans = plan_list_public(**form.values())
    return render(request, "publicity/plans.html", {"form": form, "plans": plans})


def task_notice(request: HttpRequest) -> HttpResponse:
    """抽查任务公告."""
    form = PublicFilterForm(request.GET or None, years=plan_years_public())
    page = Paginator(task_list_public(**form.values()), 20).get_page(request.GET.get("page"))
    return render(request, "publicity/tasks.html", {"form": form, "page": page})


def task_public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task's notice and its draw, with what a citizen can check and how."""
    task = task_get_public(pk)
    attempts = public_draw_record(task)
    drawn = next((a for a in reversed(attempts) if a.status == "drawn"), None)
    selected = drawn_entities(drawn) if drawn and task.publish_object_list else []
    return render(
        request,
        "publicity/task_detail.html",
        {
            "task": task,
            "attempts": [(a, json.loads(a.announcement)) for a in attempts],
            "drawn": drawn,
            "result": json.loads(drawn.result) if drawn else None,
            "selected": selected,
        },
    )


def task_public_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """The DRAW-v1 bundle of a task's draw, for anyone to re-run."""
    task = task_get_public(pk)
    drawn = next((a for a in reversed(public_draw_record(task)) if a.status == "drawn"), None)
    if drawn is None:
        raise Http404
    filename, data = draw_bundle_zip(drawn)
    return download(data, filename, "application/zip")
