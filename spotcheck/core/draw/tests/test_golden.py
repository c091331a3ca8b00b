"""Golden vectors: fixed inputs give fixed outputs, and the standalone verifier agrees.

Changing a file under golden/ changes DRAW-v1 itself: that is DRAW-v2 and needs an ADR
(house style 2.3 habit 2, docs/draw-spec.md §12).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from spotcheck.core.draw import DrawError, read_bundle, recompute
from spotcheck.core.draw.canonical import canonical_json
from spotcheck.core.draw.tests import scenario
from spotcheck.core.draw.tests.bundles import GOLDEN, VERIFIER, load, reseal, verify, write
from spotcheck.core.draw.tests.bundles import python38 as _python38


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return write(load(GOLDEN[0]), tmp_path / "bundle")


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_engine_reproduces_golden_vector(path: Path) -> None:
    # given
    vector = load(path)

    # when
    run = scenario.run(vector["inputs"])

    # then
    expected = vector["expected"]
    assert run.outcome.announcement.sha256().hex() == expected["announcement_sha256"]
    assert run.outcome.seed.hex() == expected["seed"]
    files = {name: data.decode("utf-8") for name, data in run.outcome.files().items()}
    assert files == expected["files"]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_standalone_verifier_accepts_golden_bundle(path: Path, tmp_path: Path) -> None:
    # given
    vector = load(path)
    bundle = write(vector, tmp_path / "bundle")

    # when
    done = verify(bundle, "--recompute", str(tmp_path / "out"))

    # then
    assert done.returncode == 0, done.stderr
    assert vector["expected"]["seed"] in done.stdout
    for name, text in vector["expected"]["files"].items():
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == text


def test_verifier_agrees_with_itself_in_one_or_several_processes(
    bundle: Path, tmp_path: Path
) -> None:
    one = verify(bundle, "--jobs", "1", "--recompute", str(tmp_path / "one"))
    two = verify(bundle, "--jobs", "3", "--recompute", str(tmp_path / "two"))
    assert (one.returncode, two.returncode) == (0, 0)
    for name in ("result.json", "selection.tsv", "inspectors.tsv", "groups.tsv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_core_recomputes_a_written_bundle(bundle: Path) -> None:
    recorded = read_bundle(bundle)
    assert recompute(recorded) == dict(recorded.outputs)


def test_core_refuses_a_bundle_whose_manifest_does_not_match(bundle: Path) -> None:
    _edit_row(bundle / "groups.tsv", 0, "leader", "member")
    with pytest.raises(DrawError, match="manifest"):
        read_bundle(bundle)


def test_core_refuses_reveals_of_another_announcement(bundle: Path) -> None:
    reveals = json.loads((bundle / "reveals.json").read_bytes())
    reveals["announcement_sha256"] = "00" * 32
    (bundle / "reveals.json").write_bytes(canonical_json(reveals))
    reseal(bundle)
    with pytest.raises(DrawError, match="another announcement"):
        read_bundle(bundle)


def test_verifier_recomputes_an_unpublished_bundle_from_inputs_alone(
    bundle: Path, tmp_path: Path
) -> None:
    # given: a bundle before publication, without output files
    expected = {n: (bundle / n).read_bytes() for n in ("groups.tsv", "result.json")}
    for name in ("result.json", "selection.tsv", "inspectors.tsv", "groups.tsv"):
        (bundle / name).unlink()
    reseal(bundle)

    # when
    done = verify(bundle, "--recompute", str(tmp_path / "out"))

    # then
    assert done.returncode == 0, done.stderr
    assert {n: (tmp_path / "out" / n).read_bytes() for n in expected} == expected


def _edit_row(path: Path, index: int, old: str, new: str) -> None:
    rows = path.read_text(encoding="utf-8").split("\n")
    assert old in rows[index]
    rows[index] = rows[index].replace(old, new, 1)
    path.write_text("\n".join(rows), encoding="utf-8")


def test_verifier_catches_a_changed_frame_row(bundle: Path) -> None:
    # given: one entity's items edited, rows still sorted, manifest resealed
    _edit_row(bundle / "frame.tsv", 3, "SC01", "NY01,SC01")
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1, done.stderr
    assert "frame root" in done.stderr


def test_verifier_catches_a_changed_risk_class(bundle: Path) -> None:
    rows = (bundle / "frame.tsv").read_text(encoding="utf-8").split("\n")
    index = next(i for i, r in enumerate(rows) if "\tD\t" in r)
    _edit_row(bundle / "frame.tsv", index, "\tD\t", "\tA\t")
    reseal(bundle)

    done = verify(bundle)

    assert done.returncode == 1, done.stderr


def test_verifier_catches_a_swapped_inspector(bundle: Path) -> None:
    # given: one seat handed to another drawn inspector of the same department
    groups = (bundle / "groups.tsv").read_text(encoding="utf-8").split("\n")
    seat = groups[0].split("\t")
    drawn = [
        r.split("\t")[2]
        for r in (bundle / "inspectors.tsv").read_text(encoding="utf-8").splitlines()
        if r.startswith(seat[3] + "\t")
    ]
    other = next(c for c in drawn if c != seat[4])
    _edit_row(bundle / "groups.tsv", 0, seat[4], other)
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1, done.stderr
    assert "groups.tsv" in done.stderr


def test_verifier_catches_an_edit_the_manifest_does_not_know(bundle: Path) -> None:
    _edit_row(bundle / "selection.tsv", 0, "\t1\t", "\t01\t")

    done = verify(bundle)

    assert done.returncode == 1
    assert "manifest" in done.stderr


def test_verifier_refuses_a_reveal_that_does_not_open_its_commitment(bundle: Path) -> None:
    # given
    reveals = json.loads((bundle / "reveals.json").read_bytes())
    reveals["reveals"][0]["secret"] = "00" * 32
    (bundle / "reveals.json").write_bytes(canonical_json(reveals))
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 1
    assert "commitment" in done.stderr


def test_verifier_catches_a_hidden_avoidance_pair(bundle: Path) -> None:
    openings = (bundle / "avoidance_openings.tsv").read_text(encoding="utf-8").splitlines()
    assert openings, "the golden scenario opens at least one 回避 pair"
    (bundle / "avoidance_openings.tsv").write_text(
        "\n".join(openings[1:]) + "\n" * bool(openings[1:])
    )
    reseal(bundle)

    done = verify(bundle)

    assert done.returncode == 1
    assert "openings" in done.stderr


def test_verifier_reports_a_missing_file_as_malformed(bundle: Path) -> None:
    (bundle / "pool.tsv").unlink()

    done = verify(bundle)

    assert done.returncode == 2


def test_verifier_reports_unsorted_rows_as_malformed(bundle: Path) -> None:
    rows = (bundle / "frame.tsv").read_bytes().splitlines(keepends=True)
    rows[0], rows[1] = rows[1], rows[0]
    (bundle / "frame.tsv").write_bytes(b"".join(rows))
    reseal(bundle)

    done = verify(bundle)

    assert done.returncode == 2
    assert "MALFORMED" in done.stderr


def test_verifier_reports_an_entity_listed_twice_as_malformed(bundle: Path) -> None:
    # given: the same entity again with another risk class; the rows still sort by bytes
    rows = (bundle / "frame.tsv").read_bytes().splitlines(keepends=True)
    entity_id, risk, rest = rows[0].split(b"\t", 2)
    twin = b"\t".join([entity_id, b"U" if risk != b"U" else b"A", rest])
    rows[0:1] = sorted([rows[0], twin])
    (bundle / "frame.tsv").write_bytes(b"".join(rows))
    reseal(bundle)

    # when
    done = verify(bundle)

    # then
    assert done.returncode == 2
    assert "repeated" in done.stderr


def test_verifier_checks_the_published_announcement_hash(bundle: Path) -> None:
    assert verify(bundle, "--expect-announcement", "ab" * 32).returncode == 1


def _verifier_module() -> Any:
    """Import tools/verify_draw.py as a module, to exercise its internals in-process."""
    spec = importlib.util.spec_from_file_location("verify_draw_under_test", VERIFIER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_verifier_merkle_blocks_give_the_same_root(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: blocks of 4 rows, so the frame is hashed as many perfect subtrees
    vd = _verifier_module()
    monkeypatch.setattr(vd, "ROWS_PER_BLOCK", 4)

    # when / then
    assert vd.main([str(bundle), "--jobs", "1"]) == 0, capsys.readouterr().err


def test_verifier_rescans_when_an_estimated_rank_bar_is_too_low(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: bars estimated for far fewer rows than needed
    vd = _verifier_module()
    calls: list[bool] = []
    scan = vd.scan_frame

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("estimate", True))
        return scan(*args, **kwargs)

    monkeypatch.setattr(vd, "scan_frame", spy)
    monkeypatch.setattr(vd.math, "isqrt", lambda n: -(n // 10) - 8)  # bar reaches ~room/5 rows

    # when
    code = vd.main([str(bundle), "--jobs", "1"])

    # then
    assert code == 0, capsys.readouterr().err
    assert calls == [True, False]


def test_verifier_source_is_python_38_syntax() -> None:
    ast.parse(VERIFIER.read_text(encoding="utf-8"), feature_version=(3, 8))


def test_verifier_imports_only_the_standard_library() -> None:
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


@pytest.mark.skipif(_python38() is None, reason="no Python 3.8 interpreter on this machine")
def test_verifier_runs_on_python_38(bundle: Path) -> None:
    python = _python38()
    assert python is not None
    done = verify(bundle, python=python)
    assert done.returncode == 0, done.stderr
