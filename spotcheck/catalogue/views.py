"""Pages of the item catalogue (抽查事项清单)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from spotcheck.accounts.selectors import user_can_write_any
from spotcheck.catalogue.forms import ItemFilterForm, ItemForm
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.selectors import (
    ItemFilter,
    item_can_edit,
    item_get,
    item_list,
)
from spotcheck.catalogue.services import item_create, item_update
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
