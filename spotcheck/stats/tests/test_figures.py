"""Every figure against the hand-computed fixture (see conftest.py)."""

from __future__ import annotations

import pytest

from spotcheck.stats.selectors import (
    build_filter,
    case_status,
    draw_by_risk,
    repeat_checks,
    result_distribution,
    step_timeliness,
    visits_saved,
)
from spotcheck.stats.tests.factories import T1, T2, TODAY, Fixture
from spotcheck.testing.personas import JIA, Departments

pytestmark = pytest.mark.django_db


def test_draw_per_risk_class_against_the_ratios(stats_fixture: Fixture) -> None:
    # when
    figure = draw_by_risk(build_filter(scope=None))
    # then: A 3 of 100 (the replaced one is not counted, its replacement is), C 3 of 40
    assert figure.rows == [[T1, "A类", 100, 3, 3.0, 3.0], [T1, "C类", 40, 3, 7.5, 5.0]]
    assert figure.categories == ["A类", "C类"]
    assert figure.series == [
        {"name": "实际抽取比例", "data": [3.0, 7.5]},
        {"name": "设定比例", "data": [3.0, 5.0]},
    ]


def test_timeliness_of_each_step(stats_fixture: Fixture) -> None:
    # when
    figure = step_timeliness(build_filter(scope=None), today=TODAY)
    # then
    assert figure.rows == [
        # step, due, done, on time, late, overdue open, running, on-time %
        ["派发对象确认", 3, 2, 1, 1, 1, 0, 33.3],
        ["检查结果录入", 7, 6, 6, 0, 1, 0, 85.7],
        ["抽查结果公示", 1, 0, 0, 0, 1, 0, 0.0],
        ["后续处置", 4, 2, 2, 0, 2, 0, 50.0],
    ]


def test_results_by_department_and_item(stats_fixture: Fixture) -> None:
    # when
    figure = result_distribution(build_filter(scope=None))
    # then
    assert figure.rows == [
        ["晋州市市场监督管理局", "SJ-01 企业公示信息情况检查", "未发现问题", 1],
        ["晋州市市场监督管理局", "SJ-01 企业公示信息情况检查", "发现问题待后续处理", 2],
        ["晋州市市场监督管理局", "SJ-01 企业公示信息情况检查", "发现问题经责令已改正", 1],
        ["晋州市公安局", "GA-01 保安服务公司检查", "未发现问题", 1],
        ["晋州市公安局", "GA-01 保安服务公司检查", "不配合检查情节严重", 1],
    ]
    assert figure.categories == ["晋州市市场监督管理局", "晋州市公安局"]
    assert figure.series == [
        {"name": "未发现问题", "data": [1, 1]},
        {"name": "发现问题待后续处理", "data": [2, 0]},
        {"name": "发现问题经责令已改正", "data": [1, 0]},
        {"name": "不配合检查情节严重", "data": [0, 1]},
    ]


def test_cases_open_transferred_overdue_closed(stats_fixture: Fixture) -> None:
    # when
    figure = case_status(build_filter(scope=None), today=TODAY)
    # then
    assert figure.rows == [
        ["晋州市市场监督管理局", 1, 0, 1, 1, 0, 0],
        ["晋州市公安局", 2, 1, 0, 1, 1, 1],
    ]


def test_visits_saved_by_joint_checks(stats_fixture: Fixture) -> None:
    # when
    figure = visits_saved(build_filter(scope=None))
    # then: T1 — 丁 needs 3 departments, 甲 1, 乙 1 → 5 visits alone, 3 joint
    assert figure.rows == [[T1, 3, 5, 5, 3, 0, 2], [T2, 2, 2, 2, 1, 1, 1]]


def test_enterprises_checked_more_than_once(stats_fixture: Fixture) -> None:
    # when
    figure = repeat_checks(build_filter(scope=None), year=2026)
    # then: 甲 twice; 丁 once (its T2 record was merged into the T1 visit); 乙 once
    assert [row[0] for row in figure.rows] == [JIA]
    assert figure.rows[0][2:] == [2, f"{T1}；{T2}"]
    assert figure.series == [{"name": "检查对象户数", "data": [2, 1, 0]}]


def test_a_department_admin_sees_its_own_departments_only(
    stats_fixture: Fixture, departments: Departments
) -> None:
    # given: the market admin's scope
    scoped = build_filter(scope=frozenset({departments.market.pk}))
    # when
    results = result_distribution(scoped)
    cases = case_status(scoped, today=TODAY)
    # then
    assert {row[0] for row in results.rows} == {"晋州市市场监督管理局"}
    # the R1 case was found by the market (now held by police); R5 is held by the market
    assert cases.rows == [
        ["晋州市市场监督管理局", 1, 0, 1, 1, 0, 0],
        ["晋州市公安局", 1, 0, 0, 0, 1, 1],
    ]


def test_task_and_region_filters(stats_fixture: Fixture, departments: Departments) -> None:
    # when
    only_t2 = visits_saved(build_filter(scope=None, task_id=stats_fixture.t2.pk))
    # then
    assert only_t2.rows == [[T2, 2, 2, 2, 1, 1, 1]]
    # given: 辛集市 has none of the records
    from spotcheck.accounts.models import Region

    xinji = Region.objects.get(code="130181")
    assert visits_saved(build_filter(scope=None, region=xinji)).rows == []
    county = Region.objects.get(code="130183")
    assert len(visits_saved(build_filter(scope=None, region=county)).rows) == 2
