"""The follow-up case rules, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from spotcheck.core import followup as f


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [
        (f.OPEN, f.MEASURE, f.OPEN),
        (f.OPEN, f.TRANSFER, f.TRANSFERRING),
        (f.TRANSFERRING, f.ACCEPT, f.OPEN),
        (f.TRANSFERRING, f.RETURN, f.OPEN),
        (f.OPEN, f.CLOSE, f.CLOSED),
        (f.CLOSED, f.REOPEN, f.OPEN),
    ],
)
def test_allowed_moves_reach_their_state(state: str, action: str, expected: str) -> None:
    # when
    result = f.move(state, action)
    # then
    assert result == expected


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (f.CLOSED, f.CLOSE),
        (f.CLOSED, f.TRANSFER),
        (f.CLOSED, f.MEASURE),
        (f.TRANSFERRING, f.CLOSE),
        (f.TRANSFERRING, f.TRANSFER),
        (f.OPEN, f.ACCEPT),
        (f.OPEN, f.REOPEN),
    ],
)
def test_moves_from_a_wrong_state_are_refused(state: str, action: str) -> None:
    # when / then
    with pytest.raises(f.CaseRuleError) as exc:
        f.move(state, action)
    assert str(exc.value) == (
        f"处置事项当前为“{f.STATE_LABELS[state]}”，不能“{f.ACTION_LABELS[action]}”"
    )


def test_unknown_action_is_refused() -> None:
    with pytest.raises(f.CaseRuleError, match="未知的处置操作：fly"):
        f.move(f.OPEN, "fly")


def test_available_actions_follow_the_state() -> None:
    assert f.available_actions(f.OPEN) == [f.MEASURE, f.TRANSFER, f.CLOSE]
    assert f.available_actions(f.TRANSFERRING) == [f.ACCEPT, f.RETURN]
    assert f.available_actions(f.CLOSED) == [f.REOPEN]


def test_transfer_to_the_holder_itself_is_refused() -> None:
    with pytest.raises(f.CaseRuleError, match="^不能移交给本部门$"):
        f.check_transfer(holder=1, target=1, holders=[1])


def test_transfer_back_to_an_earlier_holder_is_a_cycle() -> None:
    # given: 1 handed the case to 2, which now holds it
    # when / then
    with pytest.raises(f.CaseRuleError, match="循环移交"):
        f.check_transfer(holder=2, target=1, holders=[1, 2])


def test_transfer_to_a_new_department_is_allowed() -> None:
    f.check_transfer(holder=2, target=3, holders=[1, 2])


@pytest.mark.parametrize("reason", ["", "   ", "不对"])
def test_a_missing_or_token_reason_is_refused(reason: str) -> None:
    with pytest.raises(f.CaseRuleError, match="^退回须写明理由（至少4个字）$"):
        f.check_reason(reason, "退回")


def test_a_reason_is_returned_stripped() -> None:
    assert f.check_reason("  不属于本部门管辖  ", "退回") == "不属于本部门管辖"


def test_other_measure_needs_a_description() -> None:
    with pytest.raises(f.CaseRuleError, match="须说明具体措施"):
        f.check_measure(f.OTHER, " ")
    f.check_measure(f.OTHER, "约谈负责人")
    f.check_measure(f.ORDER_CORRECTION, "")


def test_unknown_measure_is_refused() -> None:
    with pytest.raises(f.CaseRuleError, match="请选择处置措施"):
        f.check_measure("fine", "")


FOUND = dt.date(2026, 5, 6)
TODAY = dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    ("result", "closed_on", "message"),
    [
        ("", TODAY, "办结须填写处置结果"),
        ("  ", TODAY, "办结须填写处置结果"),
        ("已改正", None, "办结须填写处置日期"),
        ("已改正", dt.date(2026, 5, 21), "处置日期不能晚于今天"),
        ("已改正", dt.date(2026, 5, 5), "处置日期不能早于发现问题的日期（2026年05月06日）"),
    ],
)
def test_closure_without_a_valid_result_is_refused(
    result: str, closed_on: dt.date | None, message: str
) -> None:
    with pytest.raises(f.CaseRuleError) as exc:
        f.check_closure(result=result, closed_on=closed_on, found_on=FOUND, today=TODAY)
    assert str(exc.value) == message


def test_closure_on_the_finding_day_is_allowed() -> None:
    f.check_closure(result="当场改正", closed_on=FOUND, found_on=FOUND, today=TODAY)


def test_penalties_and_abnormal_listing_are_public() -> None:
    assert f.must_be_public([f.ORDER_CORRECTION, f.FILE_CASE]) is True
    assert f.must_be_public([f.ABNORMAL_LIST]) is True
    assert f.must_be_public([f.ORDER_CORRECTION, f.OTHER]) is False
    assert f.must_be_public([]) is False
