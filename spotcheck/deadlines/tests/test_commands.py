from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-01-03", "1", "2026-01-04"),  # 元旦 make-up Sunday
        ("2026-02-13", "1", "2026-02-14"),  # Saturday before 春节 is worked
        ("2026-02-14", "1", "2026-02-24"),  # 春节 Feb 15–23
        ("2026-02-27", "1", "2026-02-28"),  # Saturday after 春节 is worked
        ("2026-04-30", "1", "2026-05-06"),  # 劳动节 May 1–5
        ("2026-05-08", "1", "2026-05-09"),  # Saturday make-up
        ("2026-09-19", "1", "2026-09-20"),  # Sunday make-up before 国庆
        ("2026-09-30", "2", "2026-10-09"),  # 国庆 Oct 1–7
        ("2026-10-09", "1", "2026-10-10"),  # Saturday make-up after 国庆
        ("2026-10-01", "20", "2026-11-03"),  # Oct 8, 9, 10 (Sat), then weekdays
    ],
)
def test_workdays_add_prints_the_date(
    calendar: list[int], start: str, n: str, expected: str
) -> None:
    assert _run("workdays_add", start, n) == expected


def test_workdays_between_prints_the_count(calendar: list[int]) -> None:
    assert _run("workdays_between", "2026-09-30", "2026-10-09") == "2"
    assert _run("workdays_between", "2026-10-09", "2026-09-30") == "-2"


def test_unconfirmed_year_exits_2(calendar: list[int]) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("workdays_add", "2026-12-31", "1")

    assert exc.value.returncode == 2
    assert "2027年的节假日安排尚未确认" in str(exc.value)


def test_bad_date_exits_2(calendar: list[int]) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("workdays_add", "2026-02-30", "1")

    assert exc.value.returncode == 2
    assert "不是有效日期" in str(exc.value)


def test_remind_command_reports_counts(calendar: list[int]) -> None:
    assert _run("deadlines_remind", "--today", "2026-03-03") == (
        "2026-03-03：即将到期提醒 0 条，超期通知 0 条，督办 0 条，新标记超期 0 项。"
    )
