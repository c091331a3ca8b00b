"""Reads for the public pages: published records and aggregates, nothing personal."""

from __future__ import annotations

from dataclasses import dataclass

from spotcheck.accounts.models import Department
from spotcheck.directory.models import Entity, Inspector


@dataclass(frozen=True)
class PublicOverview:
    """What the public home page shows about the two directories."""

    departments: list[str]
    entity_count: int
    inspector_count: int


def public_overview() -> PublicOverview:
    """Count the directories (一单两库的“两库”) per the 公开 principle."""
    leaves = Department.objects.filter(is_active=True, children__isnull=True).order_by("path")
    return PublicOverview(
        departments=[d.name for d in leaves],
        entity_count=Entity.objects.count(),
        inspector_count=Inspector.objects.count(),
    )
