"""The names and dates of the statistics' hand-computed fixture (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spotcheck.campaigns.models import Task
from spotcheck.inspections.models import JointRecord

TODAY = dt.date(2026, 6, 10)
T1 = "晋州市政府办抽查〔2026〕10号"
T2 = "晋州市政府办抽查〔2026〕11号"


@dataclass(frozen=True)
class Fixture:
    t1: Task
    t2: Task
    records: dict[str, JointRecord]
