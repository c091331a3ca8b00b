"""The stored files of a draw attempt, under MEDIA_ROOT/draws/<task>/<attempt>/.

This module alone reads and writes them, and reads them only through the canonical
readers of ``spotcheck.core.draw.canonical``.  The announcement freezes frame.tsv,
pool.tsv, avoidance.tsv and the private avoidance openings; the draw adds its output
files and the frame rows of the drawn entities; matching adds the final files.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from spotcheck.core.draw import (
    Announcement,
    AvoidanceCommitment,
    AvoidancePair,
    DrawOutcome,
    FrozenFrame,
    FrozenPool,
    freeze_frame,
    freeze_pool,
)
from spotcheck.core.draw.canonical import (
    frame_entity_id,
    lines_bytes,
    parse_frame_line,
    parse_group_line,
    parse_json,
    parse_opening_line,
    parse_pool_line,
    parse_selection_line,
    split_lines,
)
from spotcheck.draws.models import DrawAttempt

DRAWN_FRAME = "drawn_frame.tsv"  # private copy; not part of the bundle
AVOIDANCE_PRIVATE = "avoidance_private.tsv"  # private: the salts of every pair


def _store(attempt: DrawAttempt, name: str, data: bytes) -> None:
    path = f"{attempt.files_dir}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


def stored_file(attempt: DrawAttempt, name: str) -> bytes:
    """Return the bytes of one stored file of the attempt."""
    with default_storage.open(f"{attempt.files_dir}/{name}", "rb") as handle:
        data: bytes = handle.read()
    return data


# ---------------------------------------------------------------- writes


def store_frozen_inputs(
    attempt: DrawAttempt, frame: FrozenFrame, pool: FrozenPool, avoidance: AvoidanceCommitment
) -> None:
    """Keep what the announcement freezes: the frame, the pool and the avoidance list."""
    _store(attempt, "frame.tsv", frame.file())
    _store(attempt, "pool.tsv", pool.file())
    _store(attempt, "avoidance.tsv", avoidance.leaves_file())
    # private: the salts open the avoidance list and never leave the platform whole
    _store(attempt, AVOIDANCE_PRIVATE, lines_bytes([p.opening_line() for p in avoidance.pairs]))


def store_outcome(attempt: DrawAttempt, files: Mapping[str, bytes], outcome: DrawOutcome) -> None:
    """Keep the draw's output files and the frame rows of its selected and reserve entities
    (pages read these, not the whole frame)."""
    for name, data in files.items():
        _store(attempt, name, data)
    drawn_ids = set(outcome.selection.selected_ids()) | set(outcome.selection.reserve_ids())
    rows = split_lines(stored_file(attempt, "frame.tsv"), "frame.tsv")
    _store(attempt, DRAWN_FRAME, lines_bytes([r for r in rows if frame_entity_id(r) in drawn_ids]))


def store_files(attempt: DrawAttempt, files: Mapping[str, bytes]) -> None:
    """Keep files made for the attempt after the draw (the final matching's)."""
    for name, data in files.items():
        _store(attempt, name, data)


# ---------------------------------------------------------------- reads


def stored_drawn_frame(attempt: DrawAttempt) -> bytes:
    """The frame rows of the attempt's selected and reserve entities (all of them for an
    attempt drawn before this file was kept)."""
    path = f"{attempt.files_dir}/{DRAWN_FRAME}"
    return stored_file(attempt, DRAWN_FRAME if default_storage.exists(path) else "frame.tsv")


def stored_selection(attempt: DrawAttempt) -> list[tuple[str, str, str]]:
    """Read the stored selection.tsv: (stratum, "selected"/"reserve", entity id), in rank order.

    Pages read the stored result instead of re-running the draw; ``draw_verify`` checks
    that the stored files are what the draw computes.
    """
    rows = map(
        parse_selection_line, split_lines(stored_file(attempt, "selection.tsv"), "selection.tsv")
    )
    return [(r.stratum, r.kind, r.entity_id) for r in rows]


def stored_groups(
    attempt: DrawAttempt, name: str = "groups.tsv"
) -> dict[str, list[tuple[int, str, str]]]:
    """Read the stored groups.tsv (or final_groups.tsv): entity id → [(seat, department,
    执法证号)], leader first."""
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for line in split_lines(stored_file(attempt, name), name):
        row = parse_group_line(line)
        groups.setdefault(row.entity_id, []).append((row.slot, row.department, row.certificate_no))
    return {e: sorted(members) for e, members in groups.items()}


def frozen_inputs(
    attempt: DrawAttempt,
) -> tuple[Announcement, FrozenFrame, FrozenPool, list[bytes], list[AvoidancePair]]:
    """Read back what the announcement froze (for the draw, the bundle and re-verification)."""
    ann = Announcement.from_json(parse_json(attempt.announcement, "announcement.json"))
    frame = freeze_frame(
        parse_frame_line(x) for x in split_lines(stored_file(attempt, "frame.tsv"), "frame.tsv")
    )
    pool = freeze_pool(
        parse_pool_line(x) for x in split_lines(stored_file(attempt, "pool.tsv"), "pool.tsv")
    )
    leaves = split_lines(stored_file(attempt, "avoidance.tsv"), "avoidance.tsv")
    private = split_lines(stored_file(attempt, AVOIDANCE_PRIVATE), AVOIDANCE_PRIVATE)
    pairs = [AvoidancePair(*parse_opening_line(line, AVOIDANCE_PRIVATE)) for line in private]
    return ann, frame, pool, leaves, pairs
