"""The audit trail pages: a filterable list and one entry with its change and hashes."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from spotcheck.audit.forms import AuditFilterForm
from spotcheck.audit.labels import content_rows
from spotcheck.audit.selectors import (
    audit_event_get_for_user,
    audit_event_list_for_user,
    audit_readable,
    audit_target_types,
)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    if not audit_readable(request.user):
        raise Http404("没有这个页面")
    form = AuditFilterForm(request.GET or None, target_types=audit_target_types())
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_event_list_for_user(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, settings.DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
        },
    )


@login_required
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = audit_event_get_for_user(request.user, seq)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "rows": content_rows(event.target_type, event.data),
            "data_text": json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True),
        },
    )
