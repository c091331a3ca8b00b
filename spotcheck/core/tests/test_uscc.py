from __future__ import annotations

import pytest

from spotcheck.core.uscc import (
    UsccStatus,
    build_uscc,
    check_character,
    explain_invalid,
    org_code_check,
    validate_reg_no,
    validate_uscc,
)


@pytest.mark.parametrize(
    "code",
    [
        "91130100MA0ABC121F",  # domain.md §6.3 synthetic example
        "91110000600037341L",
    ],
)
def test_valid_codes_pass(code: str) -> None:
    assert validate_uscc(code).status is UsccStatus.VALID


def test_weights_are_powers_of_three_mod_31() -> None:
    from spotcheck.core.uscc import WEIGHTS

    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_pilot_code_fails_check_but_is_not_malformed() -> None:
    result = validate_uscc("91350100M0001TGQXM")

    assert result.status is UsccStatus.CHECK_FAILED
    assert result.expected_check == "1"
    assert "校验位不符" in result.message


def test_lowercase_and_blanks_are_normalised() -> None:
    result = validate_uscc(" 91130100ma0abc121f ")

    assert result.code == "91130100MA0ABC121F"
    assert result.ok


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9113010", "应为18位，当前为7位"),
        ("91130100MA0ABC121FF", "当前为19位"),
        ("91130100MA0ABO121F", "格式不正确"),  # O is not in the alphabet
        ("91AB0100MA0ABC121F", "格式不正确"),  # region part must be digits
    ],
)
def test_malformed_codes_are_errors(code: str, fragment: str) -> None:
    result = validate_uscc(code)

    assert result.status is UsccStatus.MALFORMED
    assert fragment in result.message


def test_check_character_zero_case() -> None:
    # 31 - (sum mod 31) == 31 must map to "0", not to an out-of-range index.
    assert check_character("00000000000000000") == "0"
    # value(1)*weight(1) = 1 -> 31 - 1 = 30 -> "Y", the last symbol
    assert check_character("10000000000000000") == "Y"


def test_check_character_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="17"):
        check_character("9113")


def test_org_code_check_examples() -> None:
    # the domain.md example MA0ABC12 + 1 is a valid organisation code body
    assert org_code_check("MA0ABC12") == "1"
    # 1*3 = 3 -> 11 - 3 = 8
    assert org_code_check("10000000") == "8"


def test_built_codes_validate() -> None:
    code = build_uscc("9", "1", "130183", "MA0DEM01")

    assert validate_uscc(code).ok
    assert code.startswith("91130183MA0DEM01")


@pytest.mark.parametrize(
    ("reg_no", "error"),
    [("130183000012345", None), ("13018300001234", "注册号应为15位数字")],
)
def test_reg_no(reg_no: str, error: str | None) -> None:
    assert validate_reg_no(reg_no) == error


def test_explain_invalid_names_the_expected_check_character() -> None:
    # given a valid code with its last character mistyped
    # when
    message = explain_invalid("91130100MA0ABC121G")
    # then
    assert message == (
        "“91130100MA0ABC121G”不是有效的统一社会信用代码：校验位不符（按 GB 32100-2015 计算，"
        "第18位应为F，输入的是G），可能有字符输错。请核对后重新输入。"
    )


def test_explain_invalid_says_nothing_of_a_valid_code() -> None:
    assert explain_invalid("91130100MA0ABC121F") == ""


def test_explain_invalid_counts_the_characters_of_a_short_code() -> None:
    assert explain_invalid("91130100MA0ABC121") == (
        "“91130100MA0ABC121”不是有效的统一社会信用代码：应为18位，输入的是17位。请核对后重新输入。"
    )


def test_explain_invalid_refuses_letters_outside_the_alphabet() -> None:
    assert explain_invalid("91130100MA0ABCI21F") == (
        "“91130100MA0ABCI21F”不是有效的统一社会信用代码：只能包含数字和除I、O、S、V、Z以外的"
        "大写字母，且第3至8位为行政区划码（数字）。请核对后重新输入。"
    )
