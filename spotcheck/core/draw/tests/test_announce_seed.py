"""Commit before randomness: announcements, commitments, reveals and the seed."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from typing import Any

import pytest

from spotcheck.core.draw import (
    Announcement,
    AnnouncementError,
    DrawError,
    MalformedInputError,
    PublicValue,
    Reveal,
    RevealMismatchError,
    commitment,
    derive_keys,
    derive_seed,
    run_draw,
)
from spotcheck.core.draw.commit import check_reveal, commit_avoidance, open_avoidance
from spotcheck.core.draw.seed import lottery_text
from spotcheck.core.draw.tests import scenario


@pytest.fixture
def s() -> dict[str, Any]:
    return scenario.generate(5, 80)


def _reveals(s: dict[str, Any]) -> list[Reveal]:
    return [Reveal(o, bytes.fromhex(secret)) for o, _, secret in s["officials"]]


def test_commitment_is_sha256_of_secret_then_official_id() -> None:
    secret = bytes(range(32))
    expected = hashlib.sha256(secret + "scjg-张三".encode()).digest()
    assert commitment(secret, "scjg-张三") == expected


def test_refuses_a_reveal_that_does_not_open_the_commitment() -> None:
    c = commitment(b"\x01" * 32, "yjj-li")
    check_reveal(c, b"\x01" * 32, "yjj-li")
    with pytest.raises(RevealMismatchError):
        check_reveal(c, b"\x02" * 32, "yjj-li")
    with pytest.raises(RevealMismatchError):
        check_reveal(c, b"\x01" * 32, "scjg-zhang")  # someone else's commitment


def test_announcement_needs_officials_of_two_departments(s: dict[str, Any]) -> None:
    s["officials"] = [[o, "SCJG", secret] for o, _, secret in s["officials"]]
    with pytest.raises(AnnouncementError):
        scenario.run(s)


def test_announcement_round_trips_through_its_canonical_json(s: dict[str, Any]) -> None:
    ann = scenario.run(s).outcome.announcement
    again = Announcement.from_json(json.loads(ann.to_bytes()))
    assert again.to_bytes() == ann.to_bytes()


def test_seed_changes_with_every_input(s: dict[str, Any]) -> None:
    # given
    run = scenario.run(s)
    ann, pv = run.outcome.announcement, run.outcome.public_value
    reveals = _reveals(s)
    base = derive_seed(ann, reveals, pv)

    # when: another announcement, or another public value
    other_ann = dataclasses.replace(ann, draw_date="2026-07-02")
    other_pv = PublicValue("primary", hashlib.sha256(b"other").digest())

    # then
    assert run.outcome.seed == base
    assert derive_seed(other_ann, reveals, pv) != base
    assert derive_seed(ann, reveals, other_pv) != base


def test_every_committed_official_must_reveal(s: dict[str, Any]) -> None:
    run = scenario.run(s)
    with pytest.raises(RevealMismatchError):
        derive_seed(run.outcome.announcement, _reveals(s)[:1], run.outcome.public_value)


def test_drand_randomness_must_be_the_hash_of_its_signature(s: dict[str, Any]) -> None:
    run = scenario.run(s)
    forged = PublicValue("primary", b"\x00" * 32, run.outcome.public_value.signature)
    with pytest.raises(RevealMismatchError):
        derive_seed(run.outcome.announcement, _reveals(s), forged)


def test_an_announced_public_value_cannot_be_skipped(s: dict[str, Any]) -> None:
    run = scenario.run(s)
    with pytest.raises(RevealMismatchError):
        derive_seed(run.outcome.announcement, _reveals(s), PublicValue())


def test_lottery_results_use_the_rfc3797_key_string() -> None:
    assert lottery_text([33, 7, 3, 25, 19, 12], [9]) == "3.7.12.19.25.33./9./"


def test_lottery_fallback_must_be_in_rfc3797_form(s: dict[str, Any]) -> None:
    s["public"]["used"] = "fallback"
    s["public"]["value"] = "03 07 12 19 25 33 + 09"
    with pytest.raises(MalformedInputError):
        scenario.run(s)


def test_keys_separate_tasks_and_parts() -> None:
    seed = b"\x07" * 32
    a, b = derive_keys(seed, "JZ-1"), derive_keys(seed, "JZ-2")
    assert len({a.objects, a.inspectors, a.matching, b.objects}) == 4


def test_frame_that_differs_from_the_announcement_is_refused(s: dict[str, Any]) -> None:
    run = scenario.run(s)
    changed = dict(s, frame=[[e, "D" if r == "A" else r, x, i] for e, r, x, i in s["frame"]])
    other = scenario.run(changed)
    draw = functools.partial(
        run_draw,
        announcement=run.outcome.announcement,
        frame=other.frame,
        pool=run.pool,
        avoidance_leaves=run.avoidance.leaves,
        avoidance_pairs=run.avoidance.pairs,
        reveals=_reveals(s),
        public_value=run.outcome.public_value,
    )
    with pytest.raises(DrawError, match="frame root"):
        draw()


def test_avoidance_leaves_hide_the_inspector_until_opened() -> None:
    # given
    salt = bytes(16)
    committed = commit_avoidance(
        [("91130100MA0ABC121F", "冀执001")], salts={("91130100MA0ABC121F", "冀执001"): salt}
    )

    # when
    opened = open_avoidance(committed, ["91130100MA0ABC121F"])

    # then
    leaf = committed.leaves[0].decode()
    assert leaf.startswith("91130100MA0ABC121F\t")
    assert "冀执001" not in leaf
    expected = hashlib.sha256(salt + "91130100MA0ABC121F\t冀执001".encode()).hexdigest()
    assert leaf.endswith(expected)
    assert [p.opening_line() for p in opened] == [
        f"91130100MA0ABC121F\t冀执001\t{salt.hex()}".encode()
    ]
