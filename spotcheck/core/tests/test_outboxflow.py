"""The outbox message's state machine, without a database: every move allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from spotcheck.core import outboxflow as o

ALLOWED = [
    (o.PENDING, o.SENDING),
    (o.SENDING, o.DELIVERED),
    (o.SENDING, o.PENDING),
    (o.SENDING, o.DEAD),
    (o.SENDING, o.SENDING),
    (o.DEAD, o.PENDING),
]
REFUSED = [pair for pair in itertools.product(o.STATE_LABELS, repeat=2) if pair not in ALLOWED]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_moves_pass(source: str, target: str) -> None:
    assert o.can_move(source, target)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused(source: str, target: str) -> None:
    assert not o.can_move(source, target)


def test_the_refused_list_covers_the_ten_other_pairs() -> None:
    assert len(REFUSED) == 10
    assert (o.DELIVERED, o.PENDING) in REFUSED
    assert (o.DEAD, o.SENDING) in REFUSED


def test_an_unknown_state_moves_nowhere() -> None:
    assert not o.can_move("archived", o.PENDING)
