"""Reads of the item catalogue; the catalogue itself is public (一公开)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.catalogue.models import InspectionItem, ResultCode


@dataclass(frozen=True)
class ItemFilter:
    q: str = ""
    department: int | None = None
    item_class: str = ""
    method: str = ""
    active: str = "yes"


def item_list(filters: ItemFilter | None = None) -> QuerySet[InspectionItem]:
    """Return catalogue items, filtered; anyone may read the catalogue."""
    f = filters or ItemFilter()
    qs = InspectionItem.objects.select_related(
        "department", "item_type", "speciality"
    ).prefetch_related("sub_items")
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(code__iexact=f.q) | Q(legal_basis__icontains=f.q))
    if f.department:
        qs = qs.filter(department=f.department)
    if f.item_class:
        qs = qs.filter(item_class=f.item_class)
    if f.active == "yes":
        qs = qs.filter(is_active=True)
    items = qs
    if f.method:
        # JSON containment is not portable across SQLite and PostgreSQL; lists are tiny.
        ids = [i.pk for i in qs.only("pk", "methods") if f.method in i.methods]
        items = qs.filter(pk__in=ids)
    return items


def item_get(item_id: int) -> InspectionItem:
    try:
        return (
            InspectionItem.objects.select_related("department", "item_type", "speciality")
            .prefetch_related("sub_items", "result_codes", "tags")
            .get(pk=item_id)
        )
    except InspectionItem.DoesNotExist:
        raise Http404 from None


def item_can_edit(user: User, item: InspectionItem) -> bool:
    allowed = writable_department_ids(user)
    return allowed is None or item.department_id in allowed


def result_code_list() -> QuerySet[ResultCode]:
    """Return the national result code table in table order; it is public like the catalogue."""
    return ResultCode.objects.select_related("parent").order_by("sort", "code")
