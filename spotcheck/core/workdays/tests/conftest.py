"""Share the bundled calendar among the workday tests."""

from __future__ import annotations

import pytest

from spotcheck.core.workdays import WorkCalendar, default_calendar


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """Return the calendar built from the data files shipped with the package."""
    return default_calendar()
