from __future__ import annotations

import pytest

from spotcheck.core.results import Code, ResultError, ResultRules

TABLE = ResultRules(
    [
        Code("1", "未发现问题", exclusive=True),
        Code("A", "发现问题待后续处理", requires_child=True),
        Code("2", "违反工商行政管理相关规定", "A", requires_child=True),
        Code("B", "未按规定公示应当公示的信息", "2"),
        Code("C", "公示信息隐瞒真实情况弄虚作假", "2"),
        Code("3", "违反食品药品管理相关规定", "A"),
        Code("E", "发现问题经责令已改正"),
        Code("F", "未发现开展本次抽查涉及的经营活动"),
        Code("9", "注销", terminal=True),
        Code("10", "被吊销", terminal=True),
    ]
)
ALL = ["1", "A", "2", "B", "C", "3", "E", "F", "9", "10"]


def test_no_problem_alone_is_a_result() -> None:
    assert TABLE.check(["1"], ALL) == ("1",)


def test_a_child_brings_its_parents_in_table_order() -> None:
    # given a sub-reason two levels down, and another problem
    chosen = ["B", "3"]
    # when
    result = TABLE.check(chosen, ALL)
    # then
    assert result == ("A", "2", "B", "3")


def test_several_problem_codes_and_corrected_may_be_combined() -> None:
    assert TABLE.check(["E", "3"], ALL) == ("A", "3", "E")


def test_no_problem_excludes_problem_codes() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["1", "3"], ALL)
    assert err.value.messages == ["“未发现问题”不能与其他检查结果同时选择"]


def test_follow_up_needs_a_sub_reason() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["A"], ALL)
    assert err.value.messages == ["选择“发现问题待后续处理”时，须选择具体的问题类别"]


def test_a_sub_parent_needs_its_own_child() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["2"], ALL)
    assert err.value.messages == ["选择“违反工商行政管理相关规定”时，须选择具体的问题类别"]


def test_a_status_outcome_stands_alone() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["9", "F"], ALL)
    assert err.value.messages == ["“注销”是主体状态类结果，只能单独选择"]


def test_two_status_outcomes_are_refused() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["9", "10"], ALL)
    assert err.value.messages == [
        "“注销”是主体状态类结果，只能单独选择",
        "“被吊销”是主体状态类结果，只能单独选择",
    ]


def test_an_empty_result_is_refused() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check([" ", ""], ALL)
    assert err.value.messages == ["请选择检查结果"]


def test_a_code_outside_the_items_options_is_refused() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["B"], ["1", "A", "3"])
    assert err.value.messages == ["检查结果“B”不是本事项的可选结果"]


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ResultError) as err:
        TABLE.check(["Z"], ALL)
    assert err.value.messages == ["检查结果“Z”不是本事项的可选结果"]


def test_a_table_with_an_unknown_parent_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown parent"):
        ResultRules([Code("B", "x", "2")])
