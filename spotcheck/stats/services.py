"""Writes of the statistics context: only the audit record of an export."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record


@transaction.atomic
def stats_export_record(*, actor: User, what: str, filters: dict[str, Any], rows: int) -> None:
    """Record who exported which statistics table with which filters."""
    audit_record(
        actor=actor,
        event_type=events.STATS_EXPORTED,
        data={"what": what, "filters": filters, "rows": rows},
    )
