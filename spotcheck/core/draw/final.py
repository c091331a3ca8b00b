"""After the draw: replacements from the reserve lists and the final matching (spec §10.1).

A drawn entity found to be in a declared replacement reason (注销, 迁出, 查无此户 …) is
replaced by the next unused reserve entity of its own stratum; when the stratum's
reserve list is used up it is withdrawn without a replacement.  Nothing else may
change the list.  Once every department has claimed its objects, the groups and the
matching of §9 are computed again, on the *final* list, with the same keys and the
same drawn inspectors, so the matching the platform uses is as verifiable as the draw.

The replacements are published as ``replacements.tsv`` and the final matching as
``final.json`` and ``final_groups.tsv``: the DRAW-v1.1 bundle.  Every DRAW-v1 file and
rule stays byte for byte as it was.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spotcheck.core.draw.canonical import (
    FrameRow,
    canonical_json,
    check_entity_id,
    check_text,
    lines_bytes,
    split_lines,
)
from spotcheck.core.draw.engine import DrawOutcome
from spotcheck.core.draw.errors import DrawError, MalformedInputError
from spotcheck.core.draw.matching import Matching, match

__all__ = [
    "EXTENSION_VERSION",
    "FINAL_FILES",
    "FinalMatching",
    "Replacement",
    "apply_replacements",
    "final_matching",
    "next_replacement",
    "parse_replacements",
    "replacements_file",
]

EXTENSION_VERSION = "DRAW-v1.1"
FINAL_FILES = ("final.json", "final_groups.tsv")


@dataclass(frozen=True)
class Replacement:
    """The ``number``-th replacement in ``stratum``: ``replaced`` leaves for ``reason``.

    ``replacement`` is the ``number``-th reserve entity of the stratum, or "" when the
    reserve list had fewer entries (the entity is then withdrawn without a successor).
    """

    stratum: str
    number: int
    replaced: str
    reason: str
    replacement: str

    def line(self) -> bytes:
        return (
            f"{self.stratum}\t{self.number}\t{self.replaced}\t{self.reason}\t{self.replacement}"
        ).encode()


def replacements_file(replacements: Iterable[Replacement]) -> bytes:
    """Return replacements.tsv: strata by bytes, then each stratum's rows by number."""
    ordered = sorted(replacements, key=lambda r: (r.stratum.encode("utf-8"), r.number))
    return lines_bytes([r.line() for r in ordered])


def parse_replacements(data: bytes) -> list[Replacement]:
    """Parse replacements.tsv strictly (five fields, canonical order)."""
    rows = []
    for line in split_lines(data, "replacements.tsv"):
        try:
            fields = line.decode("utf-8").split("\t")
        except UnicodeDecodeError:
            raise MalformedInputError("replacements.tsv不是UTF-8 / not UTF-8") from None
        if len(fields) != 5:
            raise MalformedInputError("replacements.tsv每行应有5个字段 / five fields per row")
        stratum, number, replaced, reason, replacement = fields
        check_text(stratum, "分层")
        if not number.isascii() or not number.isdigit() or str(int(number)) != number:
            raise MalformedInputError(f"replacements.tsv序号格式错误：{number!r}")
        check_entity_id(replaced)
        check_text(reason, "替补理由")
        if replacement:
            check_entity_id(replacement)
        rows.append(Replacement(stratum, int(number), replaced, reason, replacement))
    if replacements_file(rows) != data:
        raise MalformedInputError("replacements.tsv未按规范排序 / not in canonical order")
    return rows


def next_replacement(
    outcome: DrawOutcome, done: Sequence[Replacement], stratum: str
) -> tuple[int, str]:
    """Return (number, successor) for the next replacement in ``stratum`` ("" if used up)."""
    reserve = _strata(outcome)[stratum][1]
    number = sum(1 for r in done if r.stratum == stratum) + 1
    return number, reserve[number - 1] if number <= len(reserve) else ""


def _strata(outcome: DrawOutcome) -> dict[str, tuple[list[str], list[str]]]:
    return {
        s.stratum: ([e for _, e in s.selected], [e for _, e in s.reserve])
        for s in outcome.selection.strata
    }


def apply_replacements(outcome: DrawOutcome, replacements: Sequence[Replacement]) -> list[str]:
    """Check every replacement against the rule and return the final entity ids.

    The n-th replacement of a stratum must take the n-th reserve entity of that stratum
    (none once the list is used up), replace an entity of the stratum's current list,
    and give a reason the announcement declared.  The final list is in stratum order,
    each stratum's entities by rank with replacements appended in order.
    """
    reasons = set(outcome.announcement.plan.replacement_reasons)
    strata = _strata(outcome)
    by_stratum: dict[str, list[Replacement]] = defaultdict(list)
    for r in replacements:
        by_stratum[r.stratum].append(r)
    final: dict[str, list[str]] = {s: list(selected) for s, (selected, _) in strata.items()}
    for stratum, rows in sorted(by_stratum.items()):
        if stratum not in strata:
            raise DrawError(f"替补记录的分层不存在：{stratum} / unknown stratum")
        reserve = strata[stratum][1]
        current = final[stratum]
        for expected, r in enumerate(sorted(rows, key=lambda x: x.number), 1):
            where = f"{stratum}第{r.number}次替补 / replacement {stratum} #{r.number}"
            if r.number != expected:
                raise DrawError(f"{where}：序号应为{expected} / numbers must run 1, 2, 3 …")
            if r.reason not in reasons:
                raise DrawError(f"{where}：理由{r.reason!r}未在公告中声明 / undeclared reason")
            if r.replaced not in current:
                raise DrawError(
                    f"{where}：{r.replaced}不在该分层当前名单中 / not in the stratum's list"
                )
            successor = reserve[r.number - 1] if r.number <= len(reserve) else ""
            if r.replacement != successor:
                raise DrawError(
                    f"{where}：应由备选第{r.number}位{successor or '（备选已用尽）'}替补，"
                    f"而非{r.replacement or '（无）'} / must take the next unused reserve"
                )
            current.remove(r.replaced)
            if successor:
                current.append(successor)
    return [e for s in sorted(final) for e in final[s]]


@dataclass(frozen=True)
class FinalMatching:
    """The matching of the final list, and what produced it."""

    outcome: DrawOutcome
    replacements: tuple[Replacement, ...]
    entities: tuple[str, ...]
    matching: Matching
    order: tuple[str, ...]
    items_of: Mapping[str, tuple[str, ...]]

    def entities_of(self, department: str) -> list[str]:
        """The final entities whose items involve ``department``, in processing order."""
        owner = {i.code: i.department for i in self.outcome.announcement.items}
        return [e for e in self.order if any(owner[c] == department for c in self.items_of[e])]

    def final_json(self) -> dict[str, Any]:
        m = self.matching
        return {
            "announcement_sha256": self.outcome.announcement.sha256().hex(),
            "enterprises": len(self.entities),
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
            "replacements": len(self.replacements),
            "seed": self.outcome.seed.hex(),
            "task_id": self.outcome.announcement.task_id,
            "version": EXTENSION_VERSION,
        }

    def files(self) -> dict[str, bytes]:
        """Return replacements.tsv, final.json and final_groups.tsv, byte for byte."""
        return {
            "replacements.tsv": replacements_file(self.replacements),
            "final.json": canonical_json(self.final_json()),
            "final_groups.tsv": self.matching.file(),
        }


def final_matching(
    outcome: DrawOutcome,
    frame_rows: Iterable[FrameRow],
    replacements: Sequence[Replacement],
) -> FinalMatching:
    """Apply the replacements and run §9 on the final list with the draw's keys."""
    entities = apply_replacements(outcome, replacements)
    wanted = set(entities)
    rows = [r for r in frame_rows if r.entity_id in wanted]
    avoid: dict[str, set[str]] = defaultdict(set)
    for p in outcome.openings:  # openings cover every selected and reserve entity (§3.3)
        avoid[p.entity_id].add(p.certificate_no)
    avoidance: Mapping[str, frozenset[str]] = {e: frozenset(c) for e, c in avoid.items()}
    key = outcome.keys.matching
    matching = match(
        rows,
        inspectors=outcome.inspectors,
        items=outcome.announcement.items,
        avoidance=avoidance,
        key=key,
    )
    order = tuple(sorted(entities, key=lambda e: (hashlib.sha256(key + e.encode()).digest(), e)))
    items_of = {r.entity_id: r.items for r in rows}
    return FinalMatching(outcome, tuple(replacements), tuple(entities), matching, order, items_of)
