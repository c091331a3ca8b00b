"""The deadline state machine, without a database: every move allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from spotcheck.core import deadlineflow as d

ALLOWED = [
    (d.OPEN, d.DONE),
    (d.OPEN, d.OVERDUE),
    (d.OVERDUE, d.DONE),
]
REFUSED = [pair for pair in itertools.product(d.STATE_LABELS, repeat=2) if pair not in ALLOWED]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_moves_pass(source: str, target: str) -> None:
    # when / then
    assert d.can_move(source, target)
    d.check_move(source, target)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused_with_its_states_named(source: str, target: str) -> None:
    # when / then
    assert not d.can_move(source, target)
    with pytest.raises(d.InvalidDeadlineTransition) as exc:
        d.check_move(source, target)
    assert str(exc.value) == (
        f"时限状态不能从“{d.STATE_LABELS[source]}”变为“{d.STATE_LABELS[target]}”"
    )


def test_the_refused_list_covers_the_six_other_pairs() -> None:
    assert len(REFUSED) == 6
    assert (d.DONE, d.OPEN) in REFUSED
    assert (d.OVERDUE, d.OPEN) in REFUSED


def test_an_unknown_state_moves_nowhere() -> None:
    assert not d.can_move("archived", d.DONE)
    with pytest.raises(d.InvalidDeadlineTransition, match="时限状态不能从“archived”变为“已完成”"):
        d.check_move("archived", d.DONE)


def test_the_plan_s_limits_have_their_default_working_days() -> None:
    assert d.DEFAULT_WORKING_DAYS == {d.CONFIRM_OBJECTS: 2, d.ENTER_RESULTS: 20, d.DISPOSAL: 20}
