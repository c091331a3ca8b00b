from __future__ import annotations

import datetime as dt

import pytest

from spotcheck.core import recordflow
from spotcheck.core.recordflow import IllegalRecordMove, RecordFrozen, check_change, check_move


def test_an_unsigned_record_changes_freely() -> None:
    assert check_change(recordflow.ENTERED, signed=False, correction_reason="") is False


def test_a_signed_record_changes_only_as_a_correction_with_a_reason() -> None:
    with pytest.raises(RecordFrozen, match="修改须作为更正提交，并填写更正理由"):
        check_change(recordflow.SUBMITTED, signed=True, correction_reason="  ")


def test_a_change_with_a_reason_to_a_signed_record_is_a_correction() -> None:
    assert check_change(recordflow.RETURNED, signed=True, correction_reason="漏填") is True


def test_an_approved_record_is_final() -> None:
    with pytest.raises(RecordFrozen, match="已审核通过，不能再修改"):
        check_change(recordflow.APPROVED, signed=True, correction_reason="笔误")


def test_review_cannot_skip_the_submission() -> None:
    with pytest.raises(IllegalRecordMove, match="不能从“已录入”变为“已通过”"):
        check_move(recordflow.ENTERED, recordflow.APPROVED)


def test_a_returned_record_goes_back_to_review() -> None:
    check_move(recordflow.RETURNED, recordflow.SUBMITTED)


@pytest.mark.parametrize(
    ("state", "decision", "label"),
    [
        (recordflow.SUBMITTED, None, "待审核"),
        (recordflow.SUBMITTED, recordflow.REVIEW_APPROVED, "已通过"),
        (recordflow.RETURNED, recordflow.REVIEW_RETURNED, "已退回"),
        (recordflow.RETURNED, None, "待更正后审核"),
        (recordflow.ENTERED, None, "未送审"),
    ],
)
def test_each_department_review_has_a_label(state: str, decision: str | None, label: str) -> None:
    assert recordflow.department_review_label(state, decision) == label


RETURNED_AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)


def test_a_return_asking_for_a_signature_refuses_the_resubmission_until_it_is_given() -> None:
    with pytest.raises(
        recordflow.ResignatureMissing,
        match="^晋州市公安局退回时要求检查对象重新签字：请先请检查对象重新签字",
    ):
        recordflow.check_resignature([("晋州市公安局", RETURNED_AT)], RETURNED_AT)


def test_a_signature_after_the_return_answers_it() -> None:
    later = RETURNED_AT + dt.timedelta(minutes=5)
    recordflow.check_resignature([("晋州市公安局", RETURNED_AT)], later)  # does not raise


def test_a_return_without_the_request_needs_no_signature() -> None:
    recordflow.check_resignature([], None)  # does not raise
