"""Public pages: open to everyone, read only, never personal data."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.campaigns.selectors import (
    plan_list_public,
    plan_years_public,
    task_get_public,
    task_list_public,
)
from spotcheck.catalogue.selectors import ItemFilter, item_list
from spotcheck.common.cache import cache_get, cache_set
from spotcheck.common.forms import add_service_errors
from spotcheck.common.http import download
from spotcheck.common.pdf import pdf_response, render_pdf
from spotcheck.draws.outcomes import draw_bundle_zip
from spotcheck.draws.selectors import drawn_entities, public_draw_record
from spotcheck.publicity import exports, gsxt
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.forms import CorrectionForm, LookupForm, PublicFilterForm, ResultFilterForm
from spotcheck.publicity.models import ResultPublication
from spotcheck.publicity.page_cache import public_page
from spotcheck.publicity.privacy import show_inspector_names
from spotcheck.publicity.result_notice import result_notice_context, result_notice_get_for_user
from spotcheck.publicity.results import result_classes
from spotcheck.publicity.selectors import (
    PUBLIC_PAGE_SIZE,
    entity_lookup_public,
    open_data_rows,
    outbox_counts,
    outbox_list_for_user,
    outbox_message_ids,
    public_department_choices,
    public_draw_outcome,
    public_final_list,
    public_overview,
    publication_get_for_user,
    record_publication_limits,
    record_publications_for_user,
    result_current_of,
    result_get_public,
    result_history,
    result_list_public,
    result_years_public,
)
from spotcheck.publicity.services import (
    outbox_configured,
    outbox_resend,
    result_correct,
)
from spotcheck.publicity.tasks import outbox_enqueue

MAX_PUBLIC_PAGE = 500


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/home.html", {"overview": public_overview()})


@public_page
def item_notice(request: HttpRequest) -> HttpResponse:
    """抽查事项清单."""
    form = PublicFilterForm(request.GET or None, years=[])
    department = form.values()["department"]
    items = item_list(ItemFilter(department=department)).prefetch_related("tags")
    return render(request, "publicity/items.html", {"form": form, "items": items})


@public_page
def plan_notice(request: HttpRequest) -> HttpResponse:
    """抽查计划公告."""
    form = PublicFilterForm(request.GET or None, years=plan_years_public())
    plans = plan_list_public(**form.values())
    return render(request, "publicity/plans.html", {"form": form, "plans": plans})


@public_page
def task_notice(request: HttpRequest) -> HttpResponse:
    """抽查任务公告."""
    form = PublicFilterForm(request.GET or None, years=plan_years_public())
    page = Paginator(task_list_public(**form.values()), 20).get_page(request.GET.get("page"))
    return render(request, "publicity/tasks.html", {"form": form, "page": page})


@public_page
def task_public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task's notice and its draw, with what a citizen can check and how."""
    task = task_get_public(pk)
    attempts = public_draw_record(task)
    drawn = next((a for a in reversed(attempts) if a.status == "drawn"), None)
    result = json.loads(drawn.result) if drawn else None
    outcome = public_draw_outcome(drawn, result["allocation"]["total"]) if drawn else None
    selected = (
        public_final_list(drawn_entities(drawn), outcome)
        if drawn and outcome and task.publish_object_list
        else []
    )
    return render(
        request,
        "publicity/task_detail.html",
        {
            "task": task,
            "attempts": [(a, json.loads(a.announcement)) for a in attempts],
            "drawn": drawn,
            "result": result,
            "outcome": outcome,
            "selected": selected,
            "show_inspectors": show_inspector_names(),
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


def attempt_public_bundle(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The bundle of one drawn attempt of a task, a superseded one included."""
    task = task_get_public(pk)
    attempt = next((a for a in public_draw_record(task) if a.number == number), None)
    if attempt is None or not attempt.has_result:
        raise Http404
    filename, data = draw_bundle_zip(attempt)
    return download(data, filename, "application/zip")


# ---------------------------------------------------------------- 抽查结果公告 and look-up


def _public_page(qs: Any, request: HttpRequest) -> tuple[list[Any], int, bool]:
    """One page without counting the whole list: fetch one row more to know if there is more."""
    try:
        number = max(1, min(int(request.GET.get("page", "1")), MAX_PUBLIC_PAGE))
    except ValueError:
        number = 1
    start = (number - 1) * PUBLIC_PAGE_SIZE
    rows = list(qs[start : start + PUBLIC_PAGE_SIZE + 1])
    return rows[:PUBLIC_PAGE_SIZE], number, len(rows) > PUBLIC_PAGE_SIZE


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _result_filter_choices() -> dict[str, Any]:
    """The filter lists change rarely; they are kept for a minute (the page is hot)."""
    choices = cache_get("publicity:result-filter-choices")
    if choices is None:
        choices = {
            "years": result_years_public(),
            "results": result_classes(),
            "departments": public_department_choices(),
        }
        cache_set("publicity:result-filter-choices", choices, 60)
    return choices


@public_page
def result_notice(request: HttpRequest) -> HttpResponse:
    """抽查结果公告, filtered by department, year and result."""
    choices = _result_filter_choices()
    form = ResultFilterForm(
        request.GET or None,
        years=choices["years"],
        results=choices["results"],
        departments=choices["departments"],
    )
    values = form.values()
    qs = (
        result_list_public(**values).defer("items", "result_codes", "correction_reason")
        if values["result"] != "-"
        else ResultPublication.objects.none()
    )
    rows, number, has_next = _public_page(qs, request)
    return render(
        request,
        "publicity/results.html",
        {
            "selects": [
                {
                    "name": name,
                    "label": label,
                    "css": css,
                    "choices": form.fields[name].choices,
                    "value": request.GET.get(name, ""),
                }
                for name, label, css in (
                    ("department", "检查机关", "col-12 col-sm-6 col-md-4"),
                    ("year", "年度", "col-6 col-md-2"),
                    ("result", "检查结果", "col-6 col-md-3"),
                )
            ],
            "rows": rows,
            "number": number,
            "has_next": has_next,
            "query": _query_without_page(request),
            "show_inspectors": show_inspector_names(),
        },
    )


@public_page
def result_public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One published result with its items; an older version points to the current one."""
    publication = result_get_public(pk)
    if not publication.is_current:
        return redirect("publicity:result_detail", pk=result_current_of(publication).pk)
    history = result_history(publication)
    return render(
        request,
        "publicity/result_detail.html",
        {
            "p": publication,
            "corrections": [v for v in history if v.corrected],
            "show_inspectors": show_inspector_names(),
        },
    )


def entity_lookup(request: HttpRequest) -> HttpResponse:
    """企业查询: every 双随机抽查结果信息 of an enterprise, by name or code."""
    form = LookupForm(request.GET or None)
    lookup = entity_lookup_public(form.data.get("q", "") if form.is_bound else "")
    if lookup.error:
        form.mark_field_invalid("q", "lookup-error")  # the alert of publicity/lookup.html
    return render(
        request,
        "publicity/lookup.html",
        {"form": form, "lookup": lookup, "show_inspectors": show_inspector_names()},
    )


# ---------------------------------------------------------------- open data


@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    """Where the files and the JSON endpoint are, and what each field means."""
    return render(
        request,
        "publicity/open_data.html",
        {"years": result_years_public(), "columns": gsxt.COLUMNS},
    )


def open_data_file(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The published results of one year as CSV, XLSX or JSON."""
    if fmt not in exports.FORMATS or year < 2000 or year > 2100:
        raise Http404
    rows = open_data_rows(year=year)
    return exports.response(rows, fmt, f"spotcheck-results-{year}")


def open_data_api(request: HttpRequest) -> JsonResponse:
    """JSON, paginated by cursor: ``?year=&department=&result=&uscc=&after=&limit=``."""
    try:
        after = int(request.GET.get("after") or 0)
        limit = min(max(int(request.GET.get("limit") or 100), 1), 500)
        year = int(request.GET["year"]) if request.GET.get("year") else None
        department = int(request.GET["department"]) if request.GET.get("department") else None
    except ValueError:
        return JsonResponse({"error": "参数应为整数：after、limit、year、department"}, status=400)
    qs = result_list_public(
        department=department, year=year, result=request.GET.get("result") or None
    )
    if request.GET.get("uscc"):
        qs = qs.filter(entity_code=request.GET["uscc"].strip().upper())
    rows = list(qs.filter(id__gt=after).order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        query = request.GET.copy()
        query["after"] = str(rows[-1].pk)
        next_url = f"{request.path}?{query.urlencode()}"
    return JsonResponse(
        {
            "schema": gsxt.SCHEMA,
            "results": [{"id": p.pk, **gsxt.record(p)} for p in rows],
            "next": next_url,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------- staff: record results


@login_required
def record_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Who entered and who published each department's result, every version, deadlines."""
    record, versions = record_publications_for_user(request.user, pk)
    limits = record_publication_limits(record)
    return render(
        request,
        "publicity/record_results.html",
        {"record": record, "versions": versions, "limits": limits},
    )


@login_required
def result_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record's 检查结果告知书 (A4), for whoever may read the record, once approved."""
    notice = result_notice_get_for_user(request.user, pk)
    pdf = render_pdf(
        "publicity/result_notice_pdf.html", result_notice_context(notice), request=request
    )
    prefix = "演练-" if notice.is_practice else ""
    return pdf_response(pdf, filename=f"{prefix}检查结果告知书-{notice.record.number}.pdf")


@login_required
def result_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    publication = publication_get_for_user(request.user, pk)
    writable = writable_department_ids(request.user)
    if not publication.is_current or (
        writable is not None and publication.department_id not in writable
    ):
        raise Http404  # only the publishing department corrects, and only the current version
    form = CorrectionForm(
        request.POST or None, items=publication.items, remarks=publication.remarks
    )
    if request.method == "POST" and form.is_valid():
        try:
            corrected = result_correct(
                actor=request.user,
                publication=publication,
                reason=form.cleaned_data["reason"],
                item_codes=form.item_codes(),
                remarks=form.cleaned_data["remarks"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc, renamed={"result_codes": None})  # type: ignore[dict-item]
        else:
            transaction.on_commit(partial(outbox_enqueue, outbox_message_ids([corrected])))
            messages.success(request, f"已更正并公示（第{corrected.version}版）")
            return redirect("publicity:record_results", pk=publication.record_id)
    return render(request, "publicity/correct.html", {"p": publication, "form": form})


# ---------------------------------------------------------------- platform admin: outbox


def _require_platform_admin(request: HttpRequest) -> None:
    if not access_platform_for_administering(request.user):
        raise Http404


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    """The outbox to 国家企业信用信息公示系统; by default its dead letters (发送失败)."""
    _require_platform_admin(request)
    state = request.GET.get("state", OutboxState.DEAD)
    if state not in OutboxState.values and state != "all":
        state = OutboxState.DEAD
    messages_ = outbox_list_for_user(request.user, state="" if state == "all" else state)
    page = Paginator(messages_, 50).get_page(request.GET.get("page"))
    counts = outbox_counts()
    return render(
        request,
        "publicity/outbox.html",
        {
            "page": page,
            "state": state,
            "states": [(v, label, counts[v]) for v, label in OutboxState.choices],
            "configured": outbox_configured(),
        },
    )


@login_required
@require_POST
def outbox_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_platform_admin(request)
    message = outbox_list_for_user(request.user).filter(pk=pk).first()
    if message is None:
        raise Http404
    try:
        outbox_resend(actor=request.user, message=message)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        transaction.on_commit(partial(outbox_enqueue, [message.pk]))
        messages.success(request, f"已重新排队发送：{message.idempotency_key}")
    return redirect(f"{reverse('publicity:outbox')}?state=dead")


@login_required
def outbox_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same records as the outbox sends, as a file, for systems that take files."""
    _require_platform_admin(request)
    if fmt not in exports.FORMATS:
        raise Http404
    qs = (
        ResultPublication.objects.filter(task__is_practice=False)
        .select_related("supersedes")
        .order_by("id")
    )
    state = request.GET.get("state", "")
    if state in OutboxState.values:
        qs = qs.filter(outbox_message__state=state)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            event_type=events.OPEN_DATA_EXPORTED,
            data={"format": fmt, "state": state},
        )
    return exports.response(qs, fmt, "spotcheck-gsxt-outbox")
