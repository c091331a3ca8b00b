"""Run a whole DRAW-v1 draw from its frozen inputs and render its public output files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spotcheck.core.draw._runtime import gc_paused
from spotcheck.core.draw.announce import Announcement, FrozenFrame, FrozenPool
from spotcheck.core.draw.canonical import VERSION, canonical_json, lines_bytes, stratum_label
from spotcheck.core.draw.commit import AvoidancePair, check_openings
from spotcheck.core.draw.errors import DrawError, MalformedInputError
from spotcheck.core.draw.matching import InspectorDraw, Matching, draw_inspectors, match
from spotcheck.core.draw.merkle import merkle_root
from spotcheck.core.draw.sampling import ObjectSelection, select_objects
from spotcheck.core.draw.seed import DrawKeys, PublicValue, Reveal, derive_keys, derive_seed

__all__ = ["DrawOutcome", "OUTPUT_FILES", "run_draw"]

OUTPUT_FILES = ("result.json", "selection.tsv", "inspectors.tsv", "groups.tsv")


@dataclass(frozen=True)
class DrawOutcome:
    """Everything a draw produced, and the openings of the avoidance pairs it used."""

    announcement: Announcement
    seed: bytes
    keys: DrawKeys
    public_value: PublicValue
    selection: ObjectSelection
    inspectors: InspectorDraw
    matching: Matching
    openings: tuple[AvoidancePair, ...]

    def result_json(self) -> dict[str, Any]:
        """Return the summary written to result.json."""
        alloc = self.selection.allocation
        strata = [
            {
                "base_k": s.base_k,
                "extra": s.extra,
                "k": s.k,
                "population": s.population,
                "reserve": len(s.reserve),
                "stratum": s.stratum,
            }
            for s in self.selection.strata
        ]
        m = self.matching
        return {
            "allocation": {
                "base_total": sum(alloc.base.values()),
                "floor_k": alloc.floor_k,
                "population": alloc.population,
                "shortfall": alloc.shortfall,
                "strata": strata,
                "total": sum(s.k for s in self.selection.strata),
            },
            "announcement_sha256": self.announcement.sha256().hex(),
            "inspectors": [
                {
                    "department": d.department,
                    "drawn": len(d.drawn),
                    "eligible": d.eligible,
                    "pool": d.pool,
                }
                for d in self.inspectors.departments
            ],
            "keys": {
                "inspectors": self.keys.inspectors.hex(),
                "matching": self.keys.matching.hex(),
                "objects": self.keys.objects.hex(),
            },
            "matching": {
                "balance": [
                    {
                        "department": b.department,
                        "max": b.maximum,
                        "min": b.minimum,
                        "moves": b.moves,
                    }
                    for b in m.balance
                ],
                "enterprises": sum(s.k for s in self.selection.strata),
                "groups": len(m.groups),
                "infeasible": [
                    {
                        "available": x.available,
                        "department": x.department,
                        "entity_id": x.entity_id,
                        "required": x.required,
                    }
                    for x in m.infeasible
                ],
                "specialist_needed": [
                    {
                        "department": x.department,
                        "entity_id": x.entity_id,
                        "qualification": x.qualification,
                    }
                    for x in m.specialists
                ],
            },
            "public_value_used": self.public_value.used,
            "seed": self.seed.hex(),
            "task_id": self.announcement.task_id,
            "version": VERSION,
        }

    def inspectors_file(self) -> bytes:
        """Return inspectors.tsv: department, position, certificate, rank, load."""
        rows = []
        for d in self.inspectors.departments:
            for pos, (rank, row) in enumerate(d.drawn, 1):
                load = self.matching.loads[row.certificate_no]
                line = f"{d.department}\t{pos}\t{row.certificate_no}\t{rank.hex()}\t{load}"
                rows.append(line.encode("utf-8"))
        return lines_bytes(rows)

    def files(self) -> dict[str, bytes]:
        """Return the four output files of the bundle, byte for byte."""
        return {
            "result.json": canonical_json(self.result_json()),
            "selection.tsv": self.selection.file(),
            "inspectors.tsv": self.inspectors_file(),
            "groups.tsv": self.matching.file(),
        }


@gc_paused()
def run_draw(
    *,
    announcement: Announcement,
    frame: FrozenFrame,
    pool: FrozenPool,
    avoidance_leaves: Sequence[bytes],
    avoidance_pairs: Sequence[AvoidancePair],
    reveals: Sequence[Reveal],
    public_value: PublicValue,
    jobs: int = 1,
) -> DrawOutcome:
    """Check the frozen inputs against the announcement, derive the seed and draw.

    ``jobs`` > 1 hashes a large frame in that many forked processes
    (``select_objects``); the outcome is the same whatever ``jobs`` is.

    ``avoidance_pairs`` may be the whole private list (when the platform draws) or a
    bundle's openings (when it re-runs a draw); either way the pairs of every selected
    and reserve entity must open exactly that entity's committed leaves.
    """
    ann = announcement
    if frame.root != ann.frame_root or len(frame.rows) != ann.frame_count:
        raise DrawError("名录与公告的默克尔根不符 / frame root differs from the announcement")
    if pool.root != ann.pool_root or len(pool.rows) != ann.pool_count:
        raise DrawError("人员库与公告的默克尔根不符 / pool root differs from the announcement")
    leaves = sorted(avoidance_leaves)
    if merkle_root(leaves) != ann.avoidance_root or len(leaves) != ann.avoidance_count:
        raise DrawError("回避承诺与公告不符 / avoidance root differs from the announcement")
    declared = {i.code for i in ann.items}
    for items in {r.items for r in frame.rows}:
        if not declared.issuperset(items):
            raise MalformedInputError(
                f"名录含未在公告中声明的事项：{sorted(set(items) - declared)}"
            )
    seed = derive_seed(ann, reveals, public_value)
    keys = derive_keys(seed, ann.task_id)
    keyed = bool(ann.plan.stratum_key)
    ids: dict[str, list[str]] = defaultdict(list)
    for row in frame.rows:
        ids[stratum_label(row.risk_class, row.stratum_extra, keyed=keyed)].append(row.entity_id)
    selection = select_objects(
        ids, plan=ann.plan, key=keys.objects, expected_strata=ann.strata, jobs=jobs
    )
    drawn = set(selection.selected_ids()) | set(selection.reserve_ids())
    openings = tuple(
        sorted((p for p in avoidance_pairs if p.entity_id in drawn), key=AvoidancePair.opening_line)
    )
    check_openings(leaves, openings, drawn)
    inspectors = draw_inspectors(
        pool.rows,
        departments=ann.departments,
        draw_date=ann.draw_date,
        key=keys.inspectors,
        per_department=ann.inspectors_per_department,
    )
    avoid: dict[str, set[str]] = defaultdict(set)
    for p in openings:
        avoid[p.entity_id].add(p.certificate_no)
    chosen = set(selection.selected_ids())
    matching = match(
        [r for r in frame.rows if r.entity_id in chosen],
        inspectors=inspectors,
        items=ann.items,
        avoidance={e: frozenset(c) for e, c in avoid.items()},
        key=keys.matching,
    )
    return DrawOutcome(ann, seed, keys, public_value, selection, inspectors, matching, openings)
