"""Office pages of the 一企一表 records and merged visits."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.selectors import task_get_for_user
from spotcheck.common.pdf import pdf_response, render_pdf
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem
from spotcheck.inspections.selectors.merging import (
    merge_can_decide,
    merge_decisions_for_user,
    merge_proposals_for_user,
    visits_saved_for_user,
)
from spotcheck.inspections.selectors.records import (
    joint_record_get_for_user,
    joint_record_list_for_user,
    membership,
)
from spotcheck.inspections.selectors.review import (
    current_returns,
    resignature_outstanding,
    review_status,
    review_status_by_record,
)
from spotcheck.inspections.selectors.sheet import record_sheet
from spotcheck.inspections.services.merging import visit_merge_accept, visit_merge_refuse

# ----------------------------------------------------------------------------- record list


@dataclass(frozen=True)
class RecordFilter:
    department: int | None = None
    state: str = ""
    group: int | None = None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _record_filter(request: HttpRequest) -> RecordFilter:
    state = request.GET.get("state", "")
    return RecordFilter(
        department=_int_or_none(request.GET.get("department")),
        state=state if state in RecordState.values else "",
        group=_int_or_none(request.GET.get("group")),
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _task_of_records(user: User, task_pk: int, records: QuerySet[JointRecord]) -> Task:
    """The task, if the user may see it or at least one of its records (an inspector)."""
    try:
        return task_get_for_user(user, task_pk)
    except Http404:
        first = records.first()
        if first is None:
            raise
        return first.task


@login_required
def record_list(request: HttpRequest, task_pk: int) -> HttpResponse:
    """The 一企一表 records of a task, filtered by department, state and group."""
    scoped = joint_record_list_for_user(request.user, task_id=task_pk)
    task = _task_of_records(request.user, task_pk, scoped)
    filters = _record_filter(request)
    records = scoped
    if filters.department:
        records = records.filter(items__department=filters.department).distinct()
    if filters.state:
        records = records.filter(state=filters.state)
    if filters.group:
        records = records.filter(group=filters.group)
    records = records.annotate(item_count=Count("items", distinct=True)).prefetch_related(
        Prefetch("items", queryset=RecordItem.objects.select_related("department")),
        Prefetch(
            "group__members",
            queryset=GroupMember.objects.filter(is_leader=True).select_related("inspector"),
            to_attr="leaders",
        ),
    )
    state_counts = dict(scoped.values_list("state").annotate(n=Count("id", distinct=True)))
    page = Paginator(records.order_by("number"), 50).get_page(request.GET.get("page"))
    statuses = review_status_by_record(list(page.object_list))
    for record in page.object_list:
        record.review_statuses = statuses.get(record.pk, [])
    return render(
        request,
        "inspections/record_list.html",
        {
            "task": task,
            "page": page,
            "filters": filters,
            "total": scoped.count(),
            "merged": scoped.filter(merged_into__isnull=False).count(),
            "state_counts": [
                (value, label, state_counts.get(value, 0)) for value, label in RecordState.choices
            ],
            "states": RecordState.choices,
            "departments": Department.objects.filter(task_roles__task=task).order_by("path"),
            "groups": InspectionGroup.objects.filter(task=task).order_by("number"),
            "query": _query_without_page(request),
        },
    )


# --------------------------------------------------------------------------- record detail


def _record_for(user: User, pk: int) -> JointRecord:
    record = joint_record_get_for_user(user, pk)
    prefetch_related_objects([record], "task__lead_department")
    return record


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request.user, pk)
    context = record_sheet(record)
    context["can_see_task"] = not access_records_for_inspecting(request.user)
    # the group's members call the enterprise; every other reader sees the numbers masked
    context["phones_full"] = membership(request.user, record) is not None
    context["review_status"] = review_status(record) if record.review_round else []
    context["returns"] = current_returns(record)
    context["resign_outstanding"] = resignature_outstanding(record)
    return render(request, "inspections/record_detail.html", context)


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 随机抽查联合检查记录表 (A4)."""
    record = _record_for(request.user, pk)
    pdf = render_pdf("inspections/record_pdf.html", record_sheet(record), request=request)
    return pdf_response(pdf, filename=f"一企一表-{record.number}.pdf")


# ------------------------------------------------------------------------- merged visits


@login_required
def merge_list(request: HttpRequest) -> HttpResponse:
    """The platform's proposals to visit an enterprise once for two tasks, and past decisions."""
    if access_records_for_inspecting(request.user):
        raise Http404
    proposals = merge_proposals_for_user(request.user)
    return render(
        request,
        "inspections/merge_list.html",
        {
            "proposals": [(p, merge_can_decide(request.user, p.record, p.into)) for p in proposals],
            "decisions": merge_decisions_for_user(request.user)[:100],
            "visits_saved": visits_saved_for_user(request.user),
        },
    )


@login_required
@require_POST
def merge_decide(request: HttpRequest, record_pk: int, into_pk: int) -> HttpResponse:
    record = joint_record_get_for_user(request.user, record_pk)
    into = joint_record_get_for_user(request.user, into_pk)
    if not merge_can_decide(request.user, record, into):
        raise Http404
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")[:255]
    try:
        if decision == "accept":
            visit_merge_accept(actor=request.user, record=record, into=into, reason=reason)
            messages.success(
                request, f"已合并检查：{record.number} 并入 {into.number}，节省上门检查 1 次"
            )
        elif decision == "refuse":
            visit_merge_refuse(actor=request.user, record=record, into=into, reason=reason)
            messages.success(request, f"已记录不合并：{record.number} 与 {into.number} 分别检查")
        else:
            messages.error(request, "请选择合并或不合并")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc.args[0]) if exc.args else "无权执行此操作")
    return redirect("inspections:merge_list")
