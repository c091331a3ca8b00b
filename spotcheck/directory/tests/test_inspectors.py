"""Who can be drawn: 在岗 and holding a 执法证 valid on the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from spotcheck.directory.choices import InspectorStatus
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import InspectorFactory
from spotcheck.testing.personas import Departments

SignIn = Callable[[str], Client]
TODAY = dt.date(2025, 6, 16)
# 00:30 in Beijing is still the 15th in UTC: "today" must be the local date.
JUST_AFTER_MIDNIGHT = dt.datetime(2025, 6, 16, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _inspector(status: str, valid_from: dt.date, valid_until: dt.date) -> Inspector:
    return Inspector(
        status=status, certificate_valid_from=valid_from, certificate_valid_until=valid_until
    )


@pytest.mark.parametrize(
    ("status", "valid_from", "valid_until", "drawable"),
    [
        (InspectorStatus.ON_DUTY, dt.date(2024, 1, 1), dt.date(2026, 12, 31), True),
        (InspectorStatus.ON_DUTY, dt.date(2024, 1, 1), TODAY, True),  # last valid day
        (InspectorStatus.ON_DUTY, TODAY, dt.date(2026, 12, 31), True),  # first valid day
        (InspectorStatus.ON_DUTY, dt.date(2020, 1, 1), dt.date(2025, 6, 15), False),  # expired
        (InspectorStatus.ON_DUTY, dt.date(2025, 6, 17), dt.date(2030, 1, 1), False),  # not yet
        (InspectorStatus.LEAVE, dt.date(2024, 1, 1), dt.date(2026, 12, 31), False),  # 休假
        (InspectorStatus.SECONDED, dt.date(2024, 1, 1), dt.date(2026, 12, 31), False),
        (InspectorStatus.DISABLED, dt.date(2024, 1, 1), dt.date(2026, 12, 31), False),
        (InspectorStatus.RETIRED, dt.date(2024, 1, 1), dt.date(2026, 12, 31), False),
    ],
)
def test_an_inspector_is_drawable_only_on_duty_with_a_valid_certificate(
    status: str, valid_from: dt.date, valid_until: dt.date, drawable: bool
) -> None:
    # given
    inspector = _inspector(status, valid_from, valid_until)

    # when
    result = inspector.is_drawable_on(TODAY)

    # then
    assert result is drawable


@pytest.fixture
def roster(departments: Departments) -> None:
    """Four inspectors of 晋州市市场监督管理局; 甲 and 丁 are drawable on TODAY."""
    market = departments.market
    InspectorFactory(name="甲检查", department=market)
    InspectorFactory(name="乙检查", department=market, certificate_valid_until=dt.date(2025, 6, 15))
    InspectorFactory(name="丙检查", department=market, status=InspectorStatus.LEAVE)
    InspectorFactory(name="丁检查", department=market, certificate_valid_until=TODAY)


@pytest.mark.parametrize(
    ("drawable", "expected"),
    [
        ("yes", ["丁检查", "甲检查"]),
        ("no", ["丙检查", "乙检查"]),
        ("", ["丁检查", "丙检查", "乙检查", "甲检查"]),
    ],
)
def test_the_inspector_list_filters_by_drawable_today(
    drawable: str, expected: list[str], roster: None, time_machine: Any, persona_client: SignIn
) -> None:
    # given
    time_machine.move_to(JUST_AFTER_MIDNIGHT, tick=False)
    client = persona_client("dept_admin")

    # when
    response = client.get(reverse("directory:inspector_list"), {"drawable": drawable})

    # then
    assert [i.name for i in response.context["page"].object_list] == expected


def test_the_workbench_counts_the_inspectors_drawable_today(
    roster: None, time_machine: Any, persona_client: SignIn
) -> None:
    # given
    time_machine.move_to(JUST_AFTER_MIDNIGHT, tick=False)
    client = persona_client("dept_admin")

    # when
    response = client.get(reverse("common:home"))

    # then
    assert (response.context["inspector_count"], response.context["drawable_count"]) == (4, 2)
    assert "其中今日可抽取（在岗且执法证有效）2 人" in response.content.decode()
