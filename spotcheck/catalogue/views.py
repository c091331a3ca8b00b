"""Pages of the item catalogue (抽查事项清单)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.models import Department
from spotcheck.accounts.selectors import user_can_write_any
from spotcheck.catalogue.exchange import (
    CatalogueFileError,
    catalogue_csv,
    catalogue_template_xlsx,
    catalogue_xlsx,
)
from spotcheck.catalogue.forms import CatalogueImportForm, ItemFilterForm, ItemForm
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.selectors import (
    ItemFilter,
    item_can_edit,
    item_get,
    item_list,
)
from spotcheck.catalogue.services import catalogue_import, item_create, item_update
from spotcheck.common.forms import add_service_errors


def _filters(form: ItemFilterForm) -> ItemFilter:
    if not form.is_valid():
        return ItemFilter()
    return ItemFilter(**{k: v for k, v in form.cleaned_data.items() if v not in ("", None)})


@login_required
def item_list_view(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None)
    page = Paginator(item_list(_filters(form)), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/item_list.html",
        {"form": form, "page": page, "can_create": user_can_write_any(request.user)},
    )


@login_required
def item_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(pk)
    return render(
        request,
        "catalogue/item_detail.html",
        {"item": item, "can_edit": item_can_edit(request.user, item)},
    )


def _save(
    request: HttpRequest, form: ItemForm, item: InspectionItem | None
) -> InspectionItem | None:
    try:
        if item is None:
            return item_create(actor=request.user, **form.service_kwargs())
        return item_update(
            actor=request.user, item=InspectionItem.objects.get(pk=item.pk), **form.service_kwargs()
        )
    except (ValidationError, PermissionDenied) as exc:
        add_service_errors(form, exc, renamed={"sub_items": "sub_items_text"})
    return None


@login_required
def item_create_view(request: HttpRequest) -> HttpResponse:
    if not user_can_write_any(request.user):
        raise Http404
    form = ItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, f"已新增抽查事项：{saved.name}")
            return redirect("catalogue:item_detail", pk=saved.pk)
    return render(
        request,
        "catalogue/item_form.html",
        {"form": form, "item": None},
    )


@login_required
def item_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(pk)
    if not item_can_edit(request.user, item):
        raise Http404
    form = ItemForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, item)
        if saved is not None:
            messages.success(request, "已保存修改")
            return redirect("catalogue:item_detail", pk=pk)
    return render(
        request,
        "catalogue/item_form.html",
        {"form": form, "item": item},
    )


# ------------------------------------------------------------------ import and export

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_department(request: HttpRequest) -> Department | None:
    """The department to export: the one asked for, else the user's own (all for the platform)."""
    raw = request.GET.get("department", "")
    if raw == "all":
        return None
    if raw:
        # an unknown or malformed department matches nothing: never the whole catalogue
        department = Department.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if department is None:
            raise Http404
        return department
    return None if access_platform_for_administering(request.user) else request.user.department


@login_required
def catalogue_transfer_view(request: HttpRequest) -> HttpResponse:
    """Export the catalogue, or import a file of it (department admins and the platform)."""
    if not user_can_write_any(request.user):
        raise Http404
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    result = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = catalogue_import(
                actor=request.user,
                stream=upload.file,
                name=upload.name,
                encoding=form.cleaned_data["encoding"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except CatalogueFileError as exc:
            errors = exc.errors
    return render(
        request,
        "catalogue/transfer.html",
        {
            "form": form,
            "result": result,
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "departments": Department.objects.filter(
                Q(items__isnull=False) | Q(pk=request.user.department_id)
            ).distinct(),
            "own": _export_department(request),
        },
    )


@login_required
def catalogue_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue (one department's, or all of it) as XLSX or CSV."""
    department = _export_department(request)
    items = item_list(ItemFilter(active="all", department=department.pk if department else None))
    stem = f"抽查事项清单-{department.name if department else '全部'}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        response: HttpResponse = HttpResponse(catalogue_xlsx(items), content_type=_XLSX)
    else:
        response = StreamingHttpResponse(catalogue_csv(items), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.{fmt}") or ""
    return response


@login_required
def catalogue_template_view(request: HttpRequest) -> HttpResponse:
    """The import template with 填写说明 and the result codes."""
    response = HttpResponse(catalogue_template_xlsx(), content_type=_XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(True, "抽查事项清单导入模板.xlsx") or ""
    )
    return response
