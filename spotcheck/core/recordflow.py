"""The joint record's states and the freeze rule (一企一表).

未录入 → 已录入 (an item has been entered) → 待审核 (signed and submitted: frozen)
→ 已退回 (a department returned it: the inspector corrects and resubmits) / 已通过.

A signed record is frozen.  Afterwards an inspector's change is a correction: it must
give a reason, and the version before it is kept.  An approved record is final.
"""

from __future__ import annotations

from spotcheck.core.errors import DomainError

PENDING = "pending"
ENTERED = "entered"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"

STATE_LABELS: dict[str, str] = {
    PENDING: "未录入",
    ENTERED: "已录入",
    SUBMITTED: "待审核",
    RETURNED: "已退回",
    APPROVED: "已通过",
}

TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (PENDING, ENTERED),
        (ENTERED, SUBMITTED),
        (SUBMITTED, RETURNED),
        (SUBMITTED, APPROVED),
        (RETURNED, SUBMITTED),
    }
)


class RecordFrozen(DomainError):
    """A change to a signed record was refused."""


class IllegalRecordMove(DomainError):
    """The record cannot move from its state to the one asked for."""


def check_move(source: str, target: str) -> None:
    if (source, target) not in TRANSITIONS:
        raise IllegalRecordMove(
            f"记录表状态不能从“{STATE_LABELS[source]}”变为“{STATE_LABELS[target]}”"
        )


def check_change(state: str, *, signed: bool, correction_reason: str) -> bool:
    """Tell whether a change of the entries is a correction; raise if it is not allowed.

    Returns False for a plain draft change (unsigned record), True for a correction.
    """
    if state == APPROVED:
        raise RecordFrozen("记录表已审核通过，不能再修改")
    if not signed:
        return False
    if not correction_reason.strip():
        raise RecordFrozen("记录表已签字确认并冻结，修改须作为更正提交，并填写更正理由")
    return True
