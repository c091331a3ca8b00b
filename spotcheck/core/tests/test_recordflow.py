from __future__ import annotations

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
