"""Reads of the audit trail: the auditor and the platform admin read all of it, nobody else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from spotcheck.access.gates import access_audit_for_reading
from spotcheck.audit.models import AuditEvent


def audit_readable(user: Any) -> bool:
    """Tell whether the user may read the audit trail."""
    return access_audit_for_reading(user)


def audit_event_list_for_user(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Return the entries the user may read, newest first, filtered.

    ``actor`` matches the actor's name or login name (contains); ``action`` matches the
    event type from its start (``draw.`` finds every draw event); the dates are local
    calendar days, both included.
    """
    if not audit_readable(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("actor").order_by("-seq")
    if actor:
        qs = qs.filter(actor_label__icontains=actor) | qs.filter(actor__username=actor)
    if action:
        qs = qs.filter(event_type__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        next_day = date_to + dt.timedelta(days=1)
        qs = qs.filter(created_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=tz))
    return qs


def audit_event_get_for_user(user: Any, seq: int) -> AuditEvent:
    """Return one entry by its chain position; 404 for anyone who may not read the trail."""
    try:
        return audit_event_list_for_user(user).get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404("没有这条审计记录") from None


def audit_target_types() -> list[str]:
    """Return the target types present in the trail."""
    return list(
        AuditEvent.objects.exclude(target_type="")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )
