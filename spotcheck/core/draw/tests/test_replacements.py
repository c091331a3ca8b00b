"""Replacements from the reserve lists and the final matching (DRAW-v1.1, spec §10.1).

Every replacement must take the next unused reserve entity of its own stratum for a
declared reason; the verifier re-checks each one and re-runs the matching on the final
list, and a bundle with one tampered replacement does not verify.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spotcheck.core.draw import DrawError, read_bundle, recompute, write_bundle
from spotcheck.core.draw.final import (
    Replacement,
    apply_replacements,
    final_matching,
    next_replacement,
    parse_replacements,
    replacements_file,
)
from spotcheck.core.draw.tests import scenario
from spotcheck.core.draw.tests.bundles import reseal, verify

GOLDEN_V11 = Path(__file__).parent / "golden" / "v1.1-replacements.json"


def _load() -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(GOLDEN_V11.read_text(encoding="utf-8"))
    return vector


def _replacements(vector: dict[str, Any]) -> list[Replacement]:
    return [
        Replacement(s, n, old, reason, new) for s, n, old, reason, new in vector["replacements"]
    ]


def _write(directory: Path, run: scenario.Run, replacements: list[Replacement]) -> Path:
    final = final_matching(run.outcome, run.frame.rows, replacements)
    write_bundle(
        directory,
        outcome=run.outcome,
        frame=run.frame,
        pool=run.pool,
        avoidance_leaves=list(run.avoidance.leaves),
        reveals=run.reveals,
        final=final,
    )
    return directory


@pytest.fixture(scope="module")
def golden_run() -> scenario.Run:
    return scenario.run(_load()["inputs"])


@pytest.fixture
def bundle(tmp_path: Path, golden_run: scenario.Run) -> Path:
    return _write(tmp_path / "bundle", golden_run, _replacements(_load()))


def _rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _set_row(path: Path, index: int, fields: list[str]) -> None:
    rows = _rows(path)
    rows[index] = "\t".join(fields)
    path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def test_engine_reproduces_the_replacement_golden_vector(golden_run: scenario.Run) -> None:
    # given
    vector = _load()

    # when
    final = final_matching(golden_run.outcome, golden_run.frame.rows, _replacements(vector))

    # then
    files = {n: d.decode("utf-8") for n, d in final.files().items()}
    assert files == vector["expected"]["final_files"]
    assert golden_run.outcome.seed.hex() == vector["expected"]["seed"]


def test_final_matching_without_replacements_is_the_draws_own_matching(
    golden_run: scenario.Run,
) -> None:
    final = final_matching(golden_run.outcome, golden_run.frame.rows, [])

    assert final.files()["final_groups.tsv"] == golden_run.outcome.files()["groups.tsv"]
    assert final.files()["replacements.tsv"] == b""


def test_replaced_entity_leaves_and_its_reserve_enters_the_final_list(
    golden_run: scenario.Run,
) -> None:
    # given
    outcome = golden_run.outcome
    stratum = next(s for s in outcome.selection.strata if len(s.reserve) >= 2)
    gone = stratum.selected[0][1]

    # when
    number, successor = next_replacement(outcome, [], stratum.stratum)
    final = apply_replacements(
        outcome, [Replacement(stratum.stratum, number, gone, "cancelled", successor)]
    )

    # then
    assert (number, successor) == (1, stratum.reserve[0][1])
    assert gone not in final
    assert successor in final
    assert len(final) == len(outcome.selection.selected_ids())


def test_a_replacement_itself_may_be_replaced_by_the_next_reserve(
    golden_run: scenario.Run,
) -> None:
    outcome = golden_run.outcome
    stratum = next(s for s in outcome.selection.strata if len(s.reserve) >= 2)
    first, second = stratum.reserve[0][1], stratum.reserve[1][1]
    rows = [
        Replacement(stratum.stratum, 1, stratum.selected[0][1], "cancelled", first),
        Replacement(stratum.stratum, 2, first, "not_found", second),
    ]

    final = apply_replacements(outcome, rows)

    assert first not in final
    assert second in final


def test_withdrawal_without_successor_is_accepted_only_when_the_reserve_is_used_up(
    golden_run: scenario.Run,
) -> None:
    # given: a stratum with a reserve of one
    outcome = golden_run.outcome
    stratum = next(s for s in outcome.selection.strata if len(s.reserve) == 1 and s.k >= 2)
    a, b = stratum.selected[0][1], stratum.selected[1][1]
    only = stratum.reserve[0][1]

    # when / then
    final = apply_replacements(
        outcome,
        [
            Replacement(stratum.stratum, 1, a, "cancelled", only),
            Replacement(stratum.stratum, 2, b, "moved_out", ""),
        ],
    )
    assert a not in final
    assert b not in final
    assert only in final
    with pytest.raises(DrawError, match="next unused reserve"):
        apply_replacements(outcome, [Replacement(stratum.stratum, 1, a, "cancelled", "")])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("second_reserve", "next unused reserve"),
        ("undeclared_reason", "undeclared reason"),
        ("foreign_entity", "not in the stratum"),
        ("skipped_number", "numbers must run"),
    ],
)
def test_core_refuses_a_replacement_that_breaks_the_rule(
    golden_run: scenario.Run, change: str, message: str
) -> None:
    # given
    outcome = golden_run.outcome
    strata = [s for s in outcome.selection.strata if len(s.reserve) >= 2]
    s, other = strata[0], strata[1]
    row = Replacement(s.stratum, 1, s.selected[0][1], "cancelled", s.reserve[0][1])
    bad = {
        "second_reserve": Replacement(row.stratum, 1, row.replaced, row.reason, s.reserve[1][1]),
        "undeclared_reason": Replacement(row.stratum, 1, row.replaced, "disliked", row.replacement),
        "foreign_entity": Replacement(
            row.stratum, 1, other.selected[0][1], "cancelled", row.replacement
        ),
        "skipped_number": Replacement(row.stratum, 2, row.replaced, row.reason, s.reserve[1][1]),
    }[change]

    # when / then
    with pytest.raises(DrawError, match=message):
        apply_replacements(outcome, [bad])


def test_replacements_file_is_canonical_and_parses_back() -> None:
    rows = [
        Replacement("D", 1, "91130183MA0000000X", "cancelled", "91130183MA0000001X"),
        Replacement("B", 10, "91130183MA0000002X", "moved_out", ""),
        Replacement("B", 9, "91130183MA0000003X", "not_found", "91130183MA0000004X"),
    ]

    data = replacements_file(rows)

    assert data.decode().splitlines()[0].startswith("B\t9\t")
    assert parse_replacements(data) == sorted(rows, key=lambda r: (r.stratum, r.number))


def test_bundle_with_replacements_is_draw_v1_1_and_keeps_every_v1_file(
    bundle: Path, golden_run: scenario.Run
) -> None:
    # given
    manifest = json.loads((bundle / "manifest.json").read_bytes())

    # then
    assert manifest["version"] == "DRAW-v1.1"
    names = [f["name"] for f in manifest["files"]]
    assert {"replacements.tsv", "final.json", "final_groups.tsv"} <= set(names)
    for name, data in golden_run.outcome.files().items():
        assert (bundle / name).read_bytes() == data


def test_core_recomputes_a_v1_1_bundle(bundle: Path) -> None:
    recorded = read_bundle(bundle)
    assert recompute(recorded) == dict(recorded.outputs)
    assert "final_groups.tsv" in recorded.outputs


def test_standalone_verifier_accepts_the_v1_1_golden_bundle(bundle: Path, tmp_path: Path) -> None:
    # when
    done = verify(bundle, "--recompute", str(tmp_path / "out"))

    # then
    assert done.returncode == 0, done.stderr
    expected = _load()["expected"]["final_files"]
    for name in ("final.json", "final_groups.tsv"):
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == expected[name]


def test_verifier_accepts_replacements_before_the_final_matching(
    tmp_path: Path, golden_run: scenario.Run
) -> None:
    # given: dispatched and replaced, not yet matched
    directory = tmp_path / "early"
    write_bundle(
        directory,
        outcome=golden_run.outcome,
        frame=golden_run.frame,
        pool=golden_run.pool,
        avoidance_leaves=list(golden_run.avoidance.leaves),
        reveals=golden_run.reveals,
        replacements=_replacements(_load()),
    )

    # when
    done = verify(directory)

    # then
    assert done.returncode == 0, done.stderr
    assert not (directory / "final.json").exists()


def _tamper(bundle: Path, change: str) -> None:
    path = bundle / "replacements.tsv"
    rows = [r.split("\t") for r in _rows(path)]
    selection = [r.split("\t") for r in _rows(bundle / "selection.tsv")]
    index = next(i for i, r in enumerate(rows) if r[0] == "B")  # B has a reserve left
    first = rows[index]
    reserve = [r[3] for r in selection if r[0] == first[0] and r[1] == "reserve"]
    if change == "later_reserve":  # a hand-picked reserve instead of the next one
        first[4] = next(e for e in reserve if e != first[4] and all(e != r[4] for r in rows))
    elif change == "undeclared_reason":
        first[3] = "disliked"
    elif change == "foreign_stratum":  # an entity of another stratum takes the place
        first[4] = next(r[3] for r in selection if r[0] != first[0] and r[1] == "reserve")
    elif change == "unlisted_entity":  # replaces an entity that was never drawn
        first[2] = next(r[3] for r in selection if r[1] == "reserve" and r[3] not in first)
    _set_row(path, index, first)


@pytest.mark.parametrize(
    "change", ["later_reserve", "undeclared_reason", "foreign_stratum", "unlisted_entity"]
)
def test_verifier_catches_a_tampered_replacement(bundle: Path, change: str) -> None:
    # given: one replacement row edited, manifest resealed by a careful forger
    _tamper(bundle, change)
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1, done.stderr
    assert "replacements.tsv" in done.stderr


def test_verifier_catches_a_dropped_replacement(bundle: Path) -> None:
    # given: the last replacement removed from the record, final files left as matched
    rows = _rows(bundle / "replacements.tsv")
    (bundle / "replacements.tsv").write_text("".join(r + "\n" for r in rows[:-1]), "utf-8")
    reseal(bundle)

    done = verify(bundle)

    assert done.returncode == 1, done.stderr


def test_verifier_catches_a_swapped_inspector_in_the_final_matching(bundle: Path) -> None:
    # given: one final seat handed to another drawn inspector of the same department
    groups = bundle / "final_groups.tsv"
    seat = _rows(groups)[0].split("\t")
    drawn = [r.split("\t")[2] for r in _rows(bundle / "inspectors.tsv") if r.startswith(seat[3])]
    seat[4] = next(c for c in drawn if c != seat[4])
    _set_row(groups, 0, seat)
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1, done.stderr
    assert "final_groups.tsv" in done.stderr


def test_verifier_calls_an_unsorted_replacements_file_malformed(bundle: Path) -> None:
    rows = _rows(bundle / "replacements.tsv")
    (bundle / "replacements.tsv").write_text("".join(r + "\n" for r in reversed(rows)), "utf-8")
    reseal(bundle)

    done = verify(bundle)

    assert done.returncode == 2, done.stderr


def test_core_refuses_a_tampered_replacement_in_a_bundle(bundle: Path) -> None:
    _tamper(bundle, "later_reserve")
    reseal(bundle)

    with pytest.raises(DrawError, match="next unused reserve"):
        recompute(read_bundle(bundle))
