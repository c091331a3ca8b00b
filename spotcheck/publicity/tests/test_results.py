"""Result codes in words, and the combinations the code table forbids."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from spotcheck.catalogue.models import ResultCode
from spotcheck.publicity.results import check_combination, describe


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["1"], ("1", "未发现问题")),
        (["A", "G"], ("A", "发现问题待后续处理（违反公安部门相关规定）")),
        (
            ["A", "2", "B", "6"],
            (
                "A",
                "发现问题待后续处理（未按规定公示应当公示的信息、通过登记的住所（经营场所）无法联系）",
            ),
        ),
        (
            ["E", "A", "3"],
            ("A", "发现问题待后续处理（违反食品药品管理相关规定）；发现问题经责令已改正"),
        ),
        (["9", "F"], ("9", "未发现开展本次抽查涉及的经营活动；注销")),
        ([], ("", "")),
    ],
)
def test_codes_are_described_in_words_led_by_the_weightiest(
    db: None, codes: list[str], expected: tuple[str, str]
) -> None:
    assert describe(codes) == expected


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["1", "E"], "“未发现问题”不能与其他检查结果同时选择"),
        (["A"], "选择“发现问题待后续处理”时须同时选择具体情形"),
        ([], "请至少选择一个检查结果"),
    ],
)
def test_forbidden_combinations_are_refused(db: None, codes: list[str], message: str) -> None:
    chosen = list(ResultCode.objects.filter(code__in=codes))
    with pytest.raises(ValidationError) as refused:
        check_combination(chosen)
    assert refused.value.message_dict == {"result_codes": [message]}


def test_a_problem_with_its_specific_case_is_accepted(db: None) -> None:
    check_combination(list(ResultCode.objects.filter(code__in=["A", "G"])))
