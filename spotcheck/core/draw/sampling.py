"""Select inspection objects: per-stratum bottom-k of SHA-256 ranks (docs/draw-spec.md §7).

Every entity gets the rank SHA-256(objects_key || entity_id); each stratum keeps its
k smallest ranks, ties broken by entity id.  A rank depends only on the key and the
entity, so the order of the input rows cannot matter, and an entity's chance of being
drawn in a stratum of N is exactly k/N when the key is unpredictable.

Speed: the frame is hashed once.  Because ranks are uniform, a stratum's k smallest
almost surely lie below a threshold a few standard deviations above k/N of the hash
space, so only those few are kept and sorted; if fewer than k pass (probability below
1e-9) the stratum is simply ranked in full.  Either way the result is the exact
bottom-k, so the threshold is an optimisation, not part of the rule.
"""

from __future__ import annotations

import heapq
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from spotcheck.core.draw._runtime import gc_paused
from spotcheck.core.draw._runtime import sha256 as _sha256
from spotcheck.core.draw.announce import SamplingPlan
from spotcheck.core.draw.canonical import lines_bytes, parse_decimal
from spotcheck.core.draw.errors import DrawError
from spotcheck.core.processes import forked_pool

__all__ = [
    "Allocation",
    "ObjectSelection",
    "StratumSelection",
    "allocate",
    "ceil_fraction",
    "next_reserve",
    "object_rank",
    "select_objects",
]

Ranked = tuple[bytes, str]  # (rank digest, entity id): tuples compare exactly as the rule says
_HASH_SPACE = 1 << 256


def ceil_fraction(x: Fraction) -> int:
    """Return the ceiling of an exact fraction (no float rounding anywhere)."""
    return -((-x.numerator) // x.denominator)


def object_rank(key: bytes, entity_id: str) -> bytes:
    """Return SHA-256(objects_key || UTF-8(entity_id))."""
    return _sha256(key + entity_id.encode("utf-8")).digest()


@dataclass(frozen=True)
class Allocation:
    """Per-stratum base sizes k = ceil(ratio × N), the floor and the reserve ratio."""

    population: int
    base: Mapping[str, int]
    floor_k: int
    reserve_ratio: Fraction

    @property
    def shortfall(self) -> int:
        return max(0, self.floor_k - sum(self.base.values()))


def allocate(strata: Mapping[str, int], plan: SamplingPlan) -> Allocation:
    """Compute k per stratum and the total floor with exact decimal arithmetic."""
    base = {}
    for label, n in sorted(strata.items()):
        ratio = parse_decimal(plan.ratios[label[0]], "抽查比例")
        base[label] = min(n, ceil_fraction(ratio * n))
    population = sum(strata.values())
    floor_k = min(population, ceil_fraction(parse_decimal(plan.floor, "总比例下限") * population))
    reserve = parse_decimal(plan.reserve_ratio, "备选比例", maximum=10)
    return Allocation(population, base, floor_k, reserve)


@dataclass(frozen=True)
class StratumSelection:
    """The drawn and the reserve entities of one stratum, each in rank order."""

    stratum: str
    population: int
    base_k: int
    selected: tuple[Ranked, ...]
    reserve: tuple[Ranked, ...]

    @property
    def k(self) -> int:
        return len(self.selected)

    @property
    def extra(self) -> int:
        return self.k - self.base_k


@dataclass(frozen=True)
class ObjectSelection:
    """The outcome of the object draw for all strata, in stratum order."""

    allocation: Allocation
    strata: tuple[StratumSelection, ...]

    def selected_ids(self) -> list[str]:
        """Return every selected entity id, stratum by stratum, in rank order."""
        return [e for s in self.strata for _, e in s.selected]

    def reserve_ids(self) -> list[str]:
        return [e for s in self.strata for _, e in s.reserve]

    def file(self) -> bytes:
        """Return selection.tsv: stratum, kind, position, entity id, rank."""
        rows = []
        for s in self.strata:
            for kind, ranked in (("selected", s.selected), ("reserve", s.reserve)):
                for pos, (rank, entity_id) in enumerate(ranked, 1):
                    rows.append(f"{s.stratum}\t{kind}\t{pos}\t{entity_id}\t{rank.hex()}".encode())
        return lines_bytes(rows)


def _bottom(key: bytes, ids: Sequence[str], h: int) -> list[Ranked]:
    """Return the h smallest (rank, id) of a stratum, sorted."""
    if h <= 0:
        return []
    threshold = _threshold(h, len(ids))
    if threshold is not None:
        sha, k = _sha256, key
        found = [(d, e) for e in ids if (d := sha(k + e.encode("utf-8")).digest()) < threshold]
        if len(found) >= h:
            found.sort()
            return found[:h]
    ranked = ((_sha256(key + e.encode("utf-8")).digest(), e) for e in ids)
    return heapq.nsmallest(h, ranked)


# Below this many entities a worker process costs more than it saves.
PARALLEL_MIN = 500_000
_SHARED: Mapping[str, Sequence[str]] = {}  # the frame, inherited by forked workers


def _survivors(task: tuple[str, int, int, bytes, bytes]) -> list[Ranked]:
    """Hash one slice of one stratum; keep the (rank, id) under the threshold, sorted
    (so that the parent's sort of the slices put together is a merge)."""
    label, start, stop, key, threshold = task
    sha = _sha256
    found = [
        (d, e)
        for e in _SHARED[label][start:stop]
        if (d := sha(key + e.encode("utf-8")).digest()) < threshold
    ]
    found.sort()
    return found


def _threshold(h: int, n: int) -> bytes | None:
    """A rank bar that the h smallest of n uniform ranks almost surely lie under."""
    if h <= 0 or h >= n:
        return None
    # Expected h·(1 + margin) survivors; 8 standard deviations plus 64 of slack.
    expected = h + 8 * math.isqrt(h) + 64
    return (expected * _HASH_SPACE // n).to_bytes(32, "big") if expected < n else None


def _scan_parallel(
    key: bytes, ids_by_stratum: Mapping[str, Sequence[str]], reach: Mapping[str, int], jobs: int
) -> dict[str, list[Ranked]]:
    """Hash the strata's slices in ``jobs`` forked processes; return each stratum's
    survivors under its bar (strata without a bar are left to the serial path)."""
    global _SHARED
    tasks = []
    for label, h in reach.items():
        n = len(ids_by_stratum[label])
        bar = _threshold(h, n)
        if bar is None:
            continue
        step = -(-n // jobs)
        tasks += [(label, a, min(n, a + step), key, bar) for a in range(0, n, step)]
    found: dict[str, list[Ranked]] = {t[0]: [] for t in tasks}
    _SHARED = ids_by_stratum
    try:
        with forked_pool(jobs) as pool:
            for task, part in zip(tasks, pool.map(_survivors, tasks, chunksize=1), strict=True):
                found[task[0]] += part
    finally:
        _SHARED = {}
    return found


@gc_paused()
def select_objects(
    ids_by_stratum: Mapping[str, Sequence[str]],
    *,
    plan: SamplingPlan,
    key: bytes,
    expected_strata: Mapping[str, int] | None = None,
    jobs: int = 1,
) -> ObjectSelection:
    """Draw the objects: bottom-k per stratum, then top the total up to the floor.

    ``ids_by_stratum`` maps a stratum label to its entity ids (any order, no
    duplicates).  When ``expected_strata`` (the announced counts) is given, the
    frame must match it exactly.  ``jobs`` > 1 hashes large frames in that many forked
    worker processes (POSIX only); the result is the same exact bottom-k either way.
    """
    counts = {label: len(ids) for label, ids in ids_by_stratum.items() if ids}
    if expected_strata is not None and dict(sorted(counts.items())) != dict(
        sorted(expected_strata.items())
    ):
        raise DrawError("名录分层计数与公告不符 / strata counts differ from the announcement")
    alloc = allocate(counts, plan)
    shortfall = alloc.shortfall
    reach = {}
    for label in sorted(counts):
        k = alloc.base[label] + shortfall
        reach[label] = min(counts[label], k + ceil_fraction(alloc.reserve_ratio * k))
    survivors: dict[str, list[Ranked]] = {}
    if jobs > 1 and sum(counts.values()) >= PARALLEL_MIN and hasattr(os, "fork"):
        survivors = _scan_parallel(key, ids_by_stratum, reach, jobs)
    ranked: dict[str, list[Ranked]] = {}
    for label in sorted(counts):
        found = survivors.get(label)
        if found is not None and len(found) >= reach[label]:
            found.sort()
            ranked[label] = found[: reach[label]]
        else:  # serial, or the bar proved too low (probability below 1e-9): exact either way
            ranked[label] = _bottom(key, ids_by_stratum[label], reach[label])
    # The floor is met with the next-ranked entities of the whole frame (spec §7.3).
    leftovers: Iterable[tuple[bytes, str, str]] = (
        (d, e, label) for label, rs in ranked.items() for d, e in rs[alloc.base[label] :]
    )
    extra = dict.fromkeys(counts, 0)
    for _, _, label in heapq.nsmallest(shortfall, leftovers):
        extra[label] += 1
    strata = []
    for label, rs in ranked.items():
        k = alloc.base[label] + extra[label]
        spare = min(counts[label] - k, ceil_fraction(alloc.reserve_ratio * k))
        strata.append(
            StratumSelection(
                label, counts[label], alloc.base[label], tuple(rs[:k]), tuple(rs[k : k + spare])
            )
        )
    return ObjectSelection(alloc, tuple(strata))


def next_reserve(selection: ObjectSelection, stratum: str, used: Iterable[str]) -> str | None:
    """Return the best-ranked reserve of ``stratum`` not used yet, or None when exhausted.

    A selected entity that turns out to be 注销, 迁出 or 查无此户 (a declared reason) is
    replaced by this entity and by no other: ad-hoc picks would break reserve order.
    """
    taken = set(used)
    for s in selection.strata:
        if s.stratum == stratum:
            return next((e for _, e in s.reserve if e not in taken), None)
    raise DrawError(f"没有该分层：{stratum} / unknown stratum")
