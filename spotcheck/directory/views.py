"""Pages of the two directories: lists with filters and export, detail, edit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from spotcheck.accounts.selectors import user_can_write_any
from spotcheck.common.forms import add_service_errors
from spotcheck.directory import exports
from spotcheck.directory.forms import (
    AvoidanceForm,
    AvoidanceRemoveForm,
    EntityFilterForm,
    EntityForm,
    InspectorFilterForm,
    InspectorForm,
)
from spotcheck.directory.models import Avoidance, Entity, Inspector
from spotcheck.directory.selectors import (
    avoidance_list_for_inspector,
    entity_avoidances_for_user,
    entity_can_edit,
    entity_get_for_user,
    entity_list_for_user,
    entity_phones_visible,
    entity_risk_history,
    inspector_can_edit,
    inspector_get_for_user,
    inspector_list_for_user,
    inspector_phone_visible,
)
from spotcheck.directory.services import (
    avoidance_add,
    avoidance_remove,
    directory_export_record,
    entity_create,
    entity_update,
    inspector_create,
    inspector_update,
)


def _today() -> dt.date:
    return timezone.localdate()


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Any:
    paginator = Paginator(qs, settings.DIRECTORY_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def _export(
    request: HttpRequest, qs: QuerySet[Any], kind: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    count = qs.count()
    if count > settings.EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"筛选结果共 {count} 条，超过单次导出上限 {settings.EXPORT_MAX_ROWS} 条，"
            "请缩小筛选范围。",
        )
        return redirect(f"{request.path}?{_querystring_without_page(request)}")
    columns = exports.ENTITY_COLUMNS if kind == "entities" else exports.INSPECTOR_COLUMNS
    rows = (
        exports.entity_export_queryset(qs)
        if kind == "entities"
        else exports.inspector_export_queryset(qs)
    )
    directory_export_record(
        actor=request.user, kind=kind, fmt=fmt, count=count, query=request.GET.urlencode()
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = "检查对象名录" if kind == "entities" else "执法检查人员名录"
    filename = f"{name}-{stamp}.{fmt}"
    disposition = f"attachment; filename*=UTF-8''{_rfc5987(filename)}"
    if fmt == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            exports.csv_stream(rows, columns), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(rows, columns, title=name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = disposition
    return response


def _rfc5987(value: str) -> str:
    return quote(value, safe="")


@login_required
def entity_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = EntityFilterForm(request.GET or None, user=request.user)
    qs = entity_list_for_user(request.user, form.to_filter())
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(request, qs, "entities", fmt)
    return render(
        request,
        "directory/entity_list.html",
        {
            "form": form,
            "page": _page(request, qs.prefetch_related("tags")),
            "query": _querystring_without_page(request),
            "can_create": user_can_write_any(request.user),
        },
    )


@login_required
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = entity_get_for_user(request.user, pk)
    return render(
        request,
        "directory/entity_detail.html",
        {
            "entity": entity,
            "can_edit": entity_can_edit(request.user, entity),
            "phones_full": entity_phones_visible(request.user, entity),
            "risk_history": entity_risk_history(entity)[:20],
            "avoidances": entity_avoidances_for_user(request.user, entity),
        },
    )


@login_required
def entity_create_view(request: HttpRequest) -> HttpResponse:
    if not user_can_write_any(request.user):
        raise Http404
    form = EntityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entity = entity_create(actor=request.user, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增检查对象：{entity.name}")
            return redirect("directory:entity_detail", pk=entity.pk)
    return render(request, "directory/entity_form.html", {"form": form, "entity": None})


@login_required
def entity_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    entity = entity_get_for_user(request.user, pk)
    if not entity_can_edit(request.user, entity):
        raise Http404
    form = EntityForm(request.POST or None, instance=entity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # the form validated a copy in place; the service diffs against the stored row
            entity_update(
                actor=request.user,
                entity=Entity.objects.get(pk=pk),
                **form.service_kwargs(),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("directory:entity_detail", pk=pk)
    return render(request, "directory/entity_form.html", {"form": form, "entity": entity})


@login_required
def inspector_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = InspectorFilterForm(request.GET or None, user=request.user)
    today = _today()
    qs = inspector_list_for_user(request.user, form.to_filter(), today=today)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(request, qs, "inspectors", fmt)
    return render(
        request,
        "directory/inspector_list.html",
        {
            "form": form,
            "page": _page(request, qs.prefetch_related("specialities")),
            "query": _querystring_without_page(request),
            "today": today,
            "can_create": user_can_write_any(request.user),
        },
    )


@login_required
def inspector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = inspector_get_for_user(request.user, pk)
    can_edit = inspector_can_edit(request.user, inspector)
    return render(
        request,
        "directory/inspector_detail.html",
        {
            "inspector": inspector,
            "today": _today(),
            "can_edit": can_edit,
            "phones_full": inspector_phone_visible(request.user, inspector),
            "avoidances": avoidance_list_for_inspector(inspector),
            "avoidance_form": AvoidanceForm() if can_edit else None,
        },
    )


@login_required
def inspector_create_view(request: HttpRequest) -> HttpResponse:
    if not user_can_write_any(request.user):
        raise Http404
    form = InspectorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspector = inspector_create(actor=request.user, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增执法检查人员：{inspector.name}")
            return redirect("directory:inspector_detail", pk=inspector.pk)
    return render(request, "directory/inspector_form.html", {"form": form, "inspector": None})


@login_required
def inspector_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = inspector_get_for_user(request.user, pk)
    if not inspector_can_edit(request.user, inspector):
        raise Http404
    form = InspectorForm(request.POST or None, instance=inspector, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspector_update(
                actor=request.user,
                inspector=Inspector.objects.get(pk=pk),
                **form.service_kwargs(),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("directory:inspector_detail", pk=pk)
    return render(request, "directory/inspector_form.html", {"form": form, "inspector": inspector})


@login_required
@require_POST
def avoidance_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = inspector_get_for_user(request.user, pk)
    if not inspector_can_edit(request.user, inspector):
        raise Http404
    form = AvoidanceForm(request.POST)
    if form.is_valid():
        try:
            avoidance_add(
                actor=request.user,
                inspector=inspector,
                entity=form.cleaned_data["entity_code"],
                reason_type=form.cleaned_data["reason_type"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记回避关系")
            return redirect("directory:inspector_detail", pk=pk)
    return render(
        request,
        "directory/inspector_detail.html",
        {
            "inspector": inspector,
            "today": _today(),
            "can_edit": True,
            "avoidances": avoidance_list_for_inspector(inspector),
            "avoidance_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def avoidance_remove_view(request: HttpRequest, pk: int, avoidance_pk: int) -> HttpResponse:
    inspector = inspector_get_for_user(request.user, pk)
    if not inspector_can_edit(request.user, inspector):
        raise Http404
    try:
        avoidance = avoidance_list_for_inspector(inspector).get(pk=avoidance_pk)
    except Avoidance.DoesNotExist:
        raise Http404 from None
    form = AvoidanceRemoveForm(request.POST)
    if form.is_valid():
        avoidance_remove(
            actor=request.user, avoidance=avoidance, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "已撤销回避关系")
    else:
        messages.error(request, "撤销回避关系须填写理由")
    return redirect("directory:inspector_detail", pk=pk)
