"""The deadline (时限) state machine: states and allowed moves; the kinds' default limits.

    进行中 ──完成──▶ 已完成
      └──超期──▶ 已超期 ──完成（逾期）──▶ 已完成

An overdue deadline can still be completed (it is then marked late), never reopened;
a completed one never moves again.  Pure rules: no Django, no database.
"""

from __future__ import annotations

from spotcheck.core.errors import DomainError

OPEN = "open"
DONE = "done"
OVERDUE = "overdue"

STATE_LABELS: dict[str, str] = {
    OPEN: "进行中",
    DONE: "已完成",
    OVERDUE: "已超期",
}

TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({DONE, OVERDUE}),
    OVERDUE: frozenset({DONE}),
    DONE: frozenset(),
}


# The time limits of the plan (deadline kinds) and their default count of working days.
CONFIRM_OBJECTS = "confirm_objects"
ENTER_RESULTS = "enter_results"
DISPOSAL = "disposal"
OTHER = "other"

DEFAULT_WORKING_DAYS: dict[str, int] = {
    CONFIRM_OBJECTS: 2,
    ENTER_RESULTS: 20,
    DISPOSAL: 20,
}


class InvalidDeadlineTransition(DomainError):
    """A deadline was asked to move to a state its current state does not allow."""


def can_move(source: str, target: str) -> bool:
    """Whether a deadline in ``source`` may move to ``target``."""
    return target in TRANSITIONS.get(source, frozenset())


def check_move(source: str, target: str) -> None:
    """Refuse a move the table does not allow, saying why in Chinese."""
    if not can_move(source, target):
        raise InvalidDeadlineTransition(
            f"时限状态不能从“{STATE_LABELS.get(source, source)}”"
            f"变为“{STATE_LABELS.get(target, target)}”"
        )
