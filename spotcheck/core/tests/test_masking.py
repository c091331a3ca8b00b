from __future__ import annotations

import pytest

from spotcheck.core.masking import mask_identifier, mask_phone, phone_error, resident_id_error


def test_valid_resident_id_has_no_error() -> None:
    # GB 11643 example number from the standard's annex
    assert resident_id_error("11010519491231002X") is None


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("110105194912310021", "居民身份证号码校验位不正确"),
        ("11010519491231002", "居民身份证号码应为18位（最后一位可为X）"),
        ("1101051949123100AX", "居民身份证号码应为18位（最后一位可为X）"),
    ],
)
def test_bad_resident_id_is_explained(number: str, error: str) -> None:
    assert resident_id_error(number) == error


def test_identifier_keeps_only_ends() -> None:
    assert mask_identifier("11010519491231002x") == "1101**********002X"


def test_short_identifier_is_fully_hidden() -> None:
    assert mask_identifier("1234567") == "*******"


def test_phone_is_masked_in_the_middle() -> None:
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("18912344920", None),
        ("0311-85201234", None),
        ("", None),
        ("189****4920", "请填写完整的电话号码，不能填写打了星号的号码"),
        ("189＊＊＊＊4920", "请填写完整的电话号码，不能填写打了星号的号码"),
    ],
    ids=["mobile", "fixed-line", "empty", "masked", "masked-full-width"],
)
def test_a_phone_number_that_cannot_be_dialled_is_named(raw: str, error: str | None) -> None:
    # given a number as it was typed / when it is checked / then
    assert phone_error(raw) == error
