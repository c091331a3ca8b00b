"""Write and read the public bundle of a draw: a directory of canonical files (spec §10).

A bundle holds the inputs (announcement, frame, pool, avoidance leaves and openings,
reveals), the outputs (result, selection, inspectors, groups) and manifest.json with
the SHA-256 of every other file.  tools/verify_draw.py needs nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spotcheck.core.draw.announce import (
    Announcement,
    FrozenFrame,
    FrozenPool,
    freeze_frame,
    freeze_pool,
)
from spotcheck.core.draw.canonical import (
    VERSION,
    canonical_json,
    lines_bytes,
    parse_canonical_json,
    parse_frame_line,
    parse_opening_line,
    parse_pool_line,
    split_lines,
)
from spotcheck.core.draw.commit import AvoidancePair
from spotcheck.core.draw.drand import DrandBeacon
from spotcheck.core.draw.engine import OUTPUT_FILES, DrawOutcome, run_draw
from spotcheck.core.draw.errors import BundleError, DrawError, MalformedInputError
from spotcheck.core.draw.final import (
    EXTENSION_VERSION,
    FINAL_FILES,
    FinalMatching,
    Replacement,
    final_matching,
    parse_replacements,
    replacements_file,
)
from spotcheck.core.draw.seed import PublicValue, Reveal

__all__ = [
    "INPUT_FILES",
    "Bundle",
    "read_bundle",
    "recompute",
    "reveals_json",
    "write_bundle",
]

INPUT_FILES = (
    "announcement.json",
    "frame.tsv",
    "pool.tsv",
    "avoidance.tsv",
    "avoidance_openings.tsv",
    "reveals.json",
)


def reveals_json(outcome: DrawOutcome, reveals: list[Reveal]) -> dict[str, Any]:
    """Return reveals.json: the secrets in official-id order and the public value used."""
    pv = outcome.public_value
    source = {"primary": outcome.announcement.primary, "fallback": outcome.announcement.fallback}
    chosen = source.get(pv.used)
    kind = chosen.kind if chosen is not None else "none"
    value = pv.value.decode("utf-8") if kind == "lottery" else pv.value.hex()
    ordered = sorted(reveals, key=lambda r: r.official_id)
    public: dict[str, Any] = {
        "note": pv.note,
        "signature": pv.signature.hex(),
        "used": pv.used,
        "value": value,
    }
    if pv.drand is not None:  # spec §6.2: present when the signature can be verified
        public["drand"] = pv.drand.as_json()
    return {
        "announcement_sha256": outcome.announcement.sha256().hex(),
        "public_value": public,
        "reveals": [{"official_id": r.official_id, "secret": r.secret.hex()} for r in ordered],
        "task_id": outcome.announcement.task_id,
        "version": VERSION,
    }


def write_bundle(
    directory: Path,
    *,
    outcome: DrawOutcome,
    frame: FrozenFrame,
    pool: FrozenPool,
    avoidance_leaves: list[bytes],
    reveals: list[Reveal],
    replacements: Sequence[Replacement] | None = None,
    final: FinalMatching | None = None,
) -> dict[str, bytes]:
    """Write every file of the bundle and return them (manifest included) by name.

    With ``replacements`` (from dispatch on) or ``final`` (once matched) the bundle is a
    DRAW-v1.1 bundle: the DRAW-v1 files plus replacements.tsv (and the final matching).
    """
    files = {
        "announcement.json": outcome.announcement.to_bytes(),
        "frame.tsv": frame.file(),
        "pool.tsv": pool.file(),
        "avoidance.tsv": lines_bytes(sorted(avoidance_leaves)),
        "avoidance_openings.tsv": lines_bytes([p.opening_line() for p in outcome.openings]),
        "reveals.json": canonical_json(reveals_json(outcome, reveals)),
        **outcome.files(),
    }
    if final is not None:
        files.update(final.files())
    elif replacements is not None:
        files["replacements.tsv"] = replacements_file(replacements)
    files["manifest.json"] = canonical_json(manifest(files))
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return files


def manifest(files: Mapping[str, bytes]) -> dict[str, Any]:
    """Return manifest.json: name, size and SHA-256 of every other file, sorted by name."""
    entries = [
        {"bytes": len(data), "name": name, "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in sorted(files.items())
        if name != "manifest.json"
    ]
    version = EXTENSION_VERSION if "replacements.tsv" in files else VERSION
    return {"files": entries, "version": version}


@dataclass(frozen=True)
class Bundle:
    """The inputs of a bundle, parsed, and its recorded output files."""

    announcement: Announcement
    frame: FrozenFrame
    pool: FrozenPool
    avoidance_leaves: list[bytes]
    openings: list[AvoidancePair]
    reveals: list[Reveal]
    public_value: PublicValue
    outputs: Mapping[str, bytes]
    replacements: list[Replacement] | None = None


def read_bundle(directory: Path) -> Bundle:
    """Read and parse a bundle directory; raise BundleError or MalformedInputError."""
    names: tuple[str, ...] = (*INPUT_FILES, *OUTPUT_FILES)
    missing = [n for n in names if not (directory / n).is_file()]
    if missing:
        raise BundleError(f"数据包缺少文件：{', '.join(missing)} / bundle misses files")
    if (directory / "replacements.tsv").is_file():
        names = (*names, "replacements.tsv")
        present = [n for n in FINAL_FILES if (directory / n).is_file()]
        if present and len(present) != len(FINAL_FILES):
            raise BundleError(
                "数据包缺少最终匹配文件 / final.json and final_groups.tsv go together"
            )
        names = (*names, *present)
    raw = {n: (directory / n).read_bytes() for n in names}
    recorded = (
        (directory / "manifest.json").read_bytes()
        if (directory / "manifest.json").is_file()
        else b""
    )
    if recorded != canonical_json(manifest(raw)):
        raise DrawError("manifest.json与数据包文件不符 / manifest does not match the files")
    ann = Announcement.from_json(
        parse_canonical_json(raw["announcement.json"], "announcement.json")
    )
    if ann.to_bytes() != raw["announcement.json"]:
        raise MalformedInputError("announcement.json含有多余或缺少字段 / unexpected fields")
    frame_rows = [parse_frame_line(x) for x in split_lines(raw["frame.tsv"], "frame.tsv")]
    frame = freeze_frame(frame_rows, keyed=bool(ann.plan.stratum_key))
    if frame.file() != raw["frame.tsv"]:
        raise MalformedInputError("frame.tsv未按规范排序 / frame.tsv is not canonical")
    pool = freeze_pool(parse_pool_line(x) for x in split_lines(raw["pool.tsv"], "pool.tsv"))
    if pool.file() != raw["pool.tsv"]:
        raise MalformedInputError("pool.tsv未按规范排序 / pool.tsv is not canonical")
    leaves = split_lines(raw["avoidance.tsv"], "avoidance.tsv")
    openings = []
    for line in split_lines(raw["avoidance_openings.tsv"], "avoidance_openings.tsv"):
        openings.append(AvoidancePair(*parse_opening_line(line)))
    rev = parse_canonical_json(raw["reveals.json"], "reveals.json")
    if rev.get("announcement_sha256") != ann.sha256().hex() or rev.get("task_id") != ann.task_id:
        raise DrawError("reveals.json指向另一份公告 / reveals refer to another announcement")
    try:
        reveals = [Reveal(r["official_id"], bytes.fromhex(r["secret"])) for r in rev["reveals"]]
        pv = rev["public_value"]
        source = {"primary": ann.primary, "fallback": ann.fallback}.get(pv["used"])
        value = (
            pv["value"].encode("utf-8")
            if source is not None and source.kind == "lottery"
            else bytes.fromhex(pv["value"])
        )
        beacon = DrandBeacon.from_json(pv["drand"]) if "drand" in pv else None
        public = PublicValue(pv["used"], value, bytes.fromhex(pv["signature"]), pv["note"], beacon)
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedInputError(f"reveals.json格式错误：{exc!r}") from None
    outputs = {n: raw[n] for n in (*OUTPUT_FILES, *FINAL_FILES) if n in raw}
    replacements = (
        parse_replacements(raw["replacements.tsv"]) if "replacements.tsv" in raw else None
    )
    return Bundle(ann, frame, pool, leaves, openings, reveals, public, outputs, replacements)


def recompute(bundle: Bundle) -> dict[str, bytes]:
    """Re-run the draw from a bundle's inputs and return the output files it should hold."""
    outcome = run_draw(
        announcement=bundle.announcement,
        frame=bundle.frame,
        pool=bundle.pool,
        avoidance_leaves=bundle.avoidance_leaves,
        avoidance_pairs=bundle.openings,
        reveals=bundle.reveals,
        public_value=bundle.public_value,
    )
    if lines_bytes([p.opening_line() for p in outcome.openings]) != lines_bytes(
        [p.opening_line() for p in sorted(bundle.openings, key=AvoidancePair.opening_line)]
    ):
        raise DrawError("数据包公开了不属于抽中对象的回避关系 / openings beyond the drawn entities")
    files = outcome.files()
    if bundle.replacements is not None:
        final = final_matching(outcome, bundle.frame.rows, bundle.replacements)
        if "final.json" in bundle.outputs:
            files.update({n: final.files()[n] for n in FINAL_FILES})
    return files
