from __future__ import annotations

import pytest

from spotcheck.deadlines.services import calendar_load_bundled


@pytest.fixture
def calendar(db: None) -> list[int]:
    """Load the reviewed 2020–2026 arrangements into the calendar table."""
    return calendar_load_bundled(actor=None)
