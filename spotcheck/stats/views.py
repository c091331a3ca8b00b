"""The statistics page (charts, tables, XLSX exports) and the task report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from spotcheck.accounts.models import User
from spotcheck.common.pdf import pdf_response, render_pdf
from spotcheck.stats.exports import figures_xlsx
from spotcheck.stats.forms import StatsFilterForm
from spotcheck.stats.selectors import (
    StatsFilter,
    all_figures,
    build_filter,
    stats_scope_for_user,
    stats_task_get_for_user,
    task_summary,
)
from spotcheck.stats.services import stats_export_record
from spotcheck.stats.svg import bar_chart_svg

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen(user: User, request: HttpRequest) -> tuple[StatsFilterForm, StatsFilter, int, str]:
    scope = stats_scope_for_user(user)
    form = StatsFilterForm(request.GET or None, user=user)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    stats_filter = build_filter(
        scope=scope,
        year=data.get("year"),
        task_id=data["task"].pk if data.get("task") else None,
        department=data.get("department"),
        region=data.get("region"),
    )
    year = data.get("year") or (data["task"].plan.year if data.get("task") else None)
    year = year or timezone.localdate().year
    parts = [
        f"{data['year']}年" if data.get("year") else "全部年度",
        data["task"].number if data.get("task") else "全部任务",
        data["department"].name
        if data.get("department")
        else ("全部部门" if scope is None else "本部门及下级部门"),
        data["region"].name if data.get("region") else "全部区域",
    ]
    return form, stats_filter, year, "筛选条件：" + " · ".join(parts)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, stats_filter, year, caption = _chosen(request.user, request)
    figures = all_figures(stats_filter, today=timezone.localdate(), year=year)
    export = request.GET.get("export", "")
    if export:
        chosen = figures if export == "all" else [f for f in figures if f.key == export]
        if not chosen:
            raise Http404
        stats_export_record(
            actor=request.user,
            what=export,
            filters={k: v for k, v in request.GET.items() if k != "export"},
            rows=sum(len(f.rows) for f in chosen),
        )
        response = HttpResponse(figures_xlsx(chosen, caption=caption), content_type=_XLSX)
        name = f"spotcheck-stats-{export}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "caption": caption,
            "query": query.urlencode(),
            "report_task": form.cleaned_data.get("task")
            if form.is_bound and form.is_valid()
            else None,
        },
    )


@login_required
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """抽查情况报告: the task's figures with their charts, as an A4 PDF in Chinese."""
    task = stats_task_get_for_user(request.user, pk)
    scope = stats_scope_for_user(request.user)
    stats_filter = build_filter(scope=scope, task_id=task.pk)
    today = timezone.localdate()
    figures = [f for f in all_figures(stats_filter, today=today, year=task.plan.year)]
    charts = [
        (figure, mark_safe(bar_chart_svg(figure.chart())) if figure.rows else "")  # noqa: S308
        for figure in figures
        if figure.key != "repeat"
    ]
    context = {
        "task": task,
        "participants": [p.department.name for p in task.participants.all()],
        "summary": task_summary(stats_filter),
        "charts": charts,
        "scope_note": "" if scope is None else f"（{request.user.department}及下级部门范围）",
        "today": today,
    }
    pdf = render_pdf("stats/task_report.html", context, request=request)
    return pdf_response(pdf, filename=f"抽查情况报告-{task.number}.pdf")
