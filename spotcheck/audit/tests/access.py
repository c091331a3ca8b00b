# ruff: noqa: E501  -- one row per URL, one column per persona
"""The audit trail pages: auditors and the platform admin only (docs/access.md)."""

from __future__ import annotations

from django.urls import reverse

from spotcheck.audit.models import AuditEvent
from spotcheck.testing.access_matrix import LOGIN, NOT_FOUND, OK, Case, Request, World


def _first(w: World) -> Request:
    first = AuditEvent.objects.order_by("seq").values_list("seq", flat=True).first()
    return Request("get", reverse("audit:event_detail", args=[first]))


# fmt: off
CASES: dict[str, Case] = {
    #                                                                          anonymous platform lead       dept       other      parent     insp       other      auditor
    "audit:event_list":   Case(lambda w: Request("get", reverse("audit:event_list")), (LOGIN, OK,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "audit:event_detail": Case(_first,                                               (LOGIN, OK,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
}
# fmt: on
