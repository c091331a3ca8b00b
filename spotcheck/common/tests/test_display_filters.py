"""The filters that turn stored values into what a Chinese reader expects."""

from __future__ import annotations

import datetime as dt

import pytest

from spotcheck.accounts.models import Department, User
from spotcheck.common.templatetags.zh_format import duration
from spotcheck.draws.templatetags.draw_display import official, percent, stratum


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.timedelta(minutes=30), "30 分钟"),
        (dt.timedelta(minutes=90), "1 小时 30 分钟"),
        (dt.timedelta(hours=1), "1 小时"),
        (dt.timedelta(days=2, minutes=5), "2 天 5 分钟"),
        (dt.timedelta(seconds=20), "不到 1 分钟"),
        (None, ""),
    ],
)
def test_a_duration_is_shown_in_days_hours_and_minutes(
    value: dt.timedelta | None, shown: str
) -> None:
    assert duration(value) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [("0.03", "3%"), ("0.1", "10%"), ("0.125", "12.5%"), ("1", "100%"), ("0", "0%"), ("x", "x")],
)
def test_a_ratio_of_the_announcement_is_shown_in_per_cent(fraction: str, shown: str) -> None:
    assert percent(fraction) == shown


def test_the_unclassified_stratum_is_named_in_chinese() -> None:
    assert [stratum(c) for c in "ABCDU"] == ["A类", "B类", "C类", "D类", "未分类"]


def test_an_official_is_shown_by_name_and_department_never_by_login() -> None:
    # given
    office = Department(name="晋州市人民政府办公室")
    named = User(username="lead", display_name="张明", department=office)
    platform = User(username="admin", display_name="平台管理员")
    unnamed = User(username="lead2", display_name="")

    # when / then
    assert official(named) == "张明（晋州市人民政府办公室）"
    assert official(platform) == "平台管理员"
    assert official(unnamed) == "未填写姓名的官员"
    assert official(None) == ""
