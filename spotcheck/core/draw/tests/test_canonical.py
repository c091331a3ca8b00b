"""Canonical rows and JSON: the bytes every implementation must agree on."""

from __future__ import annotations

import pytest

from spotcheck.core.draw import FrameRow, InspectorRow, MalformedInputError, apply_exclusions
from spotcheck.core.draw.canonical import (
    canonical_json,
    check_text,
    frame_line,
    parse_decimal,
    parse_frame_line,
    parse_pool_line,
    pool_line,
)


def test_frame_row_serialises_with_tabs_and_sorted_items() -> None:
    row = FrameRow.of("91130100MA0ABC121F", "D", ["YJ01", "SC01"], "晋州镇")
    assert frame_line(row) == "91130100MA0ABC121F\tD\t晋州镇\tSC01,YJ01".encode()
    assert parse_frame_line(frame_line(row)) == row


def test_pool_row_round_trips() -> None:
    row = InspectorRow.of(
        "冀执13018300012", "SCJG", "on_duty", "2024-01-01", "2028-12-31", ["b", "a"]
    )
    assert pool_line(row) == "冀执13018300012\tSCJG\ton_duty\t2024-01-01\t2028-12-31\ta,b".encode()
    assert parse_pool_line(pool_line(row)) == row


@pytest.mark.parametrize(
    "value", ["", " lead", "trail ", "a,b", "tab\there", "line\nbreak", "e\u0301", "x" * 201]
)
def test_rejects_non_canonical_text(value: str) -> None:
    with pytest.raises(MalformedInputError):
        check_text(value, "字段")


@pytest.mark.parametrize(
    "entity_id", ["91130100MA0ABC121", "9113010oMA0ABC121F", "13010000012345X"]
)
def test_rejects_malformed_entity_ids(entity_id: str) -> None:
    with pytest.raises(MalformedInputError):
        FrameRow.of(entity_id, "A", ["SC01"])


def test_accepts_legacy_reg_no_and_pilot_codes_failing_the_check() -> None:
    assert FrameRow.of("130100000012345", "U", ["SC01"]).entity_id == "130100000012345"
    assert FrameRow.of("91350100M0001TGQXM", "A", ["SC01"]).entity_id == "91350100M0001TGQXM"


def test_canonical_json_is_sorted_compact_utf8() -> None:
    value = {"b": [1, "晋州"], "a": {"y": None, "x": True}}
    assert canonical_json(value) == '{"a":{"x":true,"y":null},"b":[1,"晋州"]}'.encode()


@pytest.mark.parametrize("value", [{"ratio": 0.03}, {"n": 2**53}, {"键": 1}])
def test_canonical_json_refuses_floats_big_integers_and_non_ascii_keys(value: object) -> None:
    with pytest.raises(MalformedInputError):
        canonical_json(value)


def test_decimals_are_exact() -> None:
    # 0.1 × 30 is 3.0000000000000004 in binary floating point, which would ceil to 4.
    assert parse_decimal("0.1", "r") * 30 == 3
    with pytest.raises(MalformedInputError):
        parse_decimal("1.5", "r")
    with pytest.raises(MalformedInputError):
        parse_decimal("3%", "r")


def test_exclusions_count_each_entity_once_under_its_first_declared_reason() -> None:
    # given
    rows = [FrameRow.of(f"9113018300000{i:04d}A", "B", ["SC01"]) for i in range(5)]
    excluded = {
        rows[0].entity_id: ["annual_cap", "recently_checked"],
        rows[1].entity_id: ["annual_cap"],
    }
    rules = [("recently_checked", "180日内已检查"), ("annual_cap", "年度上限")]

    # when
    kept, counts = apply_exclusions(rows, excluded, rules)

    # then
    assert kept == rows[2:]
    assert [(e.reason, e.count) for e in counts] == [("recently_checked", 1), ("annual_cap", 1)]
