"""Public pages: open to everyone, read only, never personal data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spotcheck.campaigns.selectors import plan_list_public, plan_years_public, task_list_public
from spotcheck.catalogue.selectors import ItemFilter, item_list
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
