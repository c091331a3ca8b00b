"""The rules that docs/draw-spec.md states precisely since a second reading from the text
alone: each is checked on a golden bundle, by the engine and by the standalone verifier.

None of them changes an output byte: the golden vectors still verify unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from spotcheck.core.draw import DrawError, read_bundle, recompute, write_bundle
from spotcheck.core.draw.canonical import canonical_json
from spotcheck.core.draw.errors import (
    AnnouncementError,
    MalformedInputError,
    RevealMismatchError,
)
from spotcheck.core.draw.final import Replacement, final_matching
from spotcheck.core.draw.seed import lottery_text_ok
from spotcheck.core.draw.tests import scenario
from spotcheck.core.draw.tests.bundles import reseal, verify

GOLDEN = Path(__file__).parent / "golden"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _vector(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _bundle(directory: Path, name: str) -> Path:
    scenario.run(_vector(name)["inputs"]).write(directory)
    return directory


def _v11_bundle(directory: Path, *, matched: bool = True) -> Path:
    vector = _vector("v1.1-replacements")
    run = scenario.run(vector["inputs"])
    replacements = [Replacement(*row) for row in vector["replacements"]]
    write_bundle(
        directory,
        outcome=run.outcome,
        frame=run.frame,
        pool=run.pool,
        avoidance_leaves=list(run.avoidance.leaves),
        reveals=run.reveals,
        replacements=replacements,
        final=final_matching(run.outcome, run.frame.rows, replacements) if matched else None,
    )
    return directory


def _edit_json(path: Path, edit: Any) -> None:
    data = json.loads(path.read_bytes())
    edit(data)
    path.write_bytes(canonical_json(data))


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------- §6.2 note


@pytest.mark.parametrize(
    "note",
    ["", "drand第30022612轮24小时内未公布, 改用备用源", "two lines,\nwith commas, and  spaces "],
    ids=["empty", "commas", "free-text"],
)
def test_note_is_any_string_and_changes_nothing(tmp_path: Path, note: str) -> None:
    # given: the lottery-fallback golden bundle with another note (§6.2: informative text)
    bundle = _bundle(tmp_path / "b", "v1-keyed-lottery-fallback")
    outputs = dict(read_bundle(bundle).outputs)
    _edit_json(bundle / "reveals.json", lambda r: r["public_value"].update(note=note))
    reseal(bundle)

    # when
    done = verify(bundle)
    recorded = read_bundle(bundle)

    # then: the verifier and the engine accept it, and every output is what it was
    assert done.returncode == 0, done.stderr
    assert recompute(recorded) == outputs


def test_note_that_is_not_a_string_is_malformed(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", "v1-keyed-lottery-fallback")
    _edit_json(bundle / "reveals.json", lambda r: r["public_value"].update(note=7))
    reseal(bundle)

    assert verify(bundle).returncode == 2


# ---------------------------------------------------------- §6.3 lottery key string


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("3.7.12.19.25.33./9./", True),
        ("3.3.7./0./", True),  # non-decreasing: digit lotteries repeat numbers
        ("7.3./9./", False),  # a group out of order
        ("3.7./9.1./", False),
        ("03.7./9./", False),  # leading zero
        ("3.7.12./09./", False),
        ("3.7./", True),
        ("3.7", False),
        ("", False),
    ],
)
def test_lottery_key_string_rule(text: str, ok: bool) -> None:
    assert lottery_text_ok(text) is ok


@pytest.mark.parametrize(
    "value",
    ["7.3.12.19.25.33./9./", "03.7.12.19.25.33./9./"],
    ids=["unsorted", "leading-zero"],
)
def test_lottery_value_out_of_order_or_with_leading_zero_is_malformed(
    tmp_path: Path, value: str
) -> None:
    # given: the golden lottery result rewritten in a form the spec now rules out
    bundle = _bundle(tmp_path / "b", "v1-keyed-lottery-fallback")
    _edit_json(bundle / "reveals.json", lambda r: r["public_value"].update(value=value))
    reseal(bundle)

    # when
    done = verify(bundle)

    # then: both implementations call it malformed, not a mere difference
    assert done.returncode == 2
    assert "RFC 3797" in done.stderr
    with pytest.raises(MalformedInputError, match="RFC 3797"):
        recompute(read_bundle(bundle))


# ------------------------------------------------- §6.3 an announced source unused


def test_announced_source_left_unused_is_a_difference(tmp_path: Path) -> None:
    # given: a drand draw whose reveals claim no public value was used
    bundle = _bundle(tmp_path / "b", "v1-joint-drand")

    def unused(r: dict[str, Any]) -> None:
        r["public_value"] = {"note": "", "signature": "", "used": "none", "value": ""}

    _edit_json(bundle / "reveals.json", unused)
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1
    assert "not used" in done.stderr
    with pytest.raises(RevealMismatchError):
        recompute(read_bundle(bundle))


def test_used_none_with_a_value_is_malformed(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", "v1-no-public-value")
    _edit_json(bundle / "reveals.json", lambda r: r["public_value"].update(value="ab" * 32))
    reseal(bundle)

    assert verify(bundle).returncode == 2


# ------------------------------------------------ §5 the officials' departments


def test_commitment_of_a_department_outside_the_task_is_malformed(tmp_path: Path) -> None:
    # given: an official of a department that takes no part in the task
    bundle = _bundle(tmp_path / "b", "v1-no-public-value")
    _edit_json(
        bundle / "announcement.json",
        lambda a: a["commitments"][1].update(department="SFJ"),
    )
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 2
    assert "commitment department SFJ" in done.stderr
    with pytest.raises(AnnouncementError, match="未参与本任务"):
        read_bundle(bundle)


def test_every_golden_commitment_is_of_a_task_department() -> None:
    for path in sorted(GOLDEN.glob("*.json")):
        inputs = json.loads(path.read_text(encoding="utf-8"))["inputs"]
        assert {dept for _, dept, _ in inputs["officials"]} <= set(inputs["departments"])


# ------------------------------------------------------- §11 files per version


def test_plain_bundle_has_exactly_ten_files(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", "v1-joint-drand")
    names = json.loads((bundle / "manifest.json").read_bytes())["files"]
    assert len(names) == 10
    assert verify(bundle).returncode == 0


@pytest.mark.parametrize(("matched", "count"), [(False, 11), (True, 13)])
def test_v11_bundle_lists_eleven_or_thirteen_files(
    tmp_path: Path, matched: bool, count: int
) -> None:
    # given
    bundle = _v11_bundle(tmp_path / "b", matched=matched)

    # when
    manifest = json.loads((bundle / "manifest.json").read_bytes())

    # then
    assert (manifest["version"], len(manifest["files"])) == ("DRAW-v1.1", count)
    assert verify(bundle).returncode == 0, verify(bundle).stderr


def test_v11_bundle_with_half_of_the_final_matching_is_malformed(tmp_path: Path) -> None:
    # given: final.json without final_groups.tsv (§10.1: together or not at all)
    bundle = _v11_bundle(tmp_path / "b")
    (bundle / "final_groups.tsv").unlink()
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 2
    with pytest.raises(DrawError):
        read_bundle(bundle)


def test_plain_bundle_with_an_extra_file_listed_is_malformed(tmp_path: Path) -> None:
    # given: a DRAW-v1 manifest that also lists replacements.tsv
    bundle = _bundle(tmp_path / "b", "v1-joint-drand")
    (bundle / "replacements.tsv").write_bytes(b"")

    def listed(m: dict[str, Any]) -> None:
        m["files"] = sorted(
            [*m["files"], {"bytes": 0, "name": "replacements.tsv", "sha256": EMPTY_SHA256}],
            key=lambda f: f["name"],
        )

    _edit_json(bundle / "manifest.json", listed)

    # when
    done = verify(bundle)

    # then
    assert json.loads((bundle / "manifest.json").read_bytes())["version"] == "DRAW-v1"
    assert done.returncode == 2
    assert "manifest" in done.stderr


# ------------------------------------------- §9.6 position is the processing position


def test_groups_positions_skip_the_infeasible_entities() -> None:
    # given: a golden draw with infeasible entities
    vector = _vector("v1-joint-drand")
    files = vector["expected"]["files"]
    result = json.loads(files["result.json"])
    infeasible = {r["entity_id"] for r in result["matching"]["infeasible"]}
    assert infeasible

    # when
    positions = sorted({int(line.split("\t")[0]) for line in files["groups.tsv"].splitlines()})

    # then: positions count every selected entity in processing order, infeasible ones too
    selected = result["allocation"]["total"]
    assert len(positions) == selected - len(infeasible)
    assert set(positions) < set(range(1, selected + 1))
    assert positions[-1] > len(positions)


# ------------------------------------------------------ §8 load is the draw's own


def test_inspector_load_counts_the_seats_of_the_draw_time_matching() -> None:
    # given: the replacement vector, whose final matching moves seats around
    vector = _vector("v1.1-replacements")
    files, final = vector["expected"]["files"], vector["expected"]["final_files"]

    def seats(tsv: str) -> Counter[str]:
        return Counter(line.split("\t")[4] for line in tsv.splitlines())

    # when
    loads = {
        line.split("\t")[2]: int(line.split("\t")[4])
        for line in files["inspectors.tsv"].splitlines()
    }

    # then: load = the inspector's rows in groups.tsv, not in final_groups.tsv
    draw_seats, final_seats = seats(files["groups.tsv"]), seats(final["final_groups.tsv"])
    assert loads == {cert: draw_seats.get(cert, 0) for cert in loads}
    assert any(loads[cert] != final_seats.get(cert, 0) for cert in loads)


# ------------------------------------------ §9.5 rebalancing stays in one department


def test_rebalancing_moves_seats_only_within_the_department() -> None:
    # given: the golden vector in which rebalancing made a move
    vector = _vector("v1-rebalance")
    files = vector["expected"]["files"]
    balance = json.loads(files["result.json"])["matching"]["balance"]
    assert any(b["moves"] for b in balance)
    department_of = {
        line.split("\t")[2]: line.split("\t")[0] for line in files["inspectors.tsv"].splitlines()
    }

    # when
    seats = [line.split("\t") for line in files["groups.tsv"].splitlines()]

    # then: every seat is held by an inspector of the seat's own department, and each
    # department's spread is that of its own inspectors' loads
    assert all(department_of[s[4]] == s[3] for s in seats)
    loads = Counter(s[4] for s in seats)
    for b in balance:
        own = [loads.get(c, 0) for c, d in department_of.items() if d == b["department"]]
        assert (min(own), max(own)) == (b["min"], b["max"])
