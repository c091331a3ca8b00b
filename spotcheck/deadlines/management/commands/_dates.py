"""Argument parsing shared by the working-day commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def parse_iso_date(value: str, what: str) -> dt.date:
    """Parse YYYY-MM-DD or fail with a Chinese message (exit status 2)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{what}“{value}”不是有效日期，应为 YYYY-MM-DD", returncode=2) from None
