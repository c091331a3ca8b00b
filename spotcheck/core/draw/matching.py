"""Draw inspectors, form groups and match them to the drawn enterprises (spec §8–§9).

The rules, in the order they bind:

1. Only inspectors 在岗 with a certificate valid on the draw date may be drawn.
2. Each group checks one enterprise and has at least two inspectors (行政处罚法:
   执法人员不得少于两人): one of every department whose items apply to the enterprise,
   or two of the one department when only one applies.  The first department in task
   order (the lead department, when it takes part) provides the leader.
3. No inspector is matched with an enterprise on the 回避 list.
4. A qualification required by an item is covered by a member of its department when
   any drawn, non-avoided inspector of that department holds it, even at the cost of a
   third member; otherwise the record says the department must send a specialist.
5. Loads (enterprises per inspector) are balanced: greedy least-loaded choice, then
   moves from the most to the least loaded inspector until they differ by at most one
   or no move keeps rules 2–4.  What could not be balanced is reported.
6. An enterprise that a department cannot serve (too few non-avoided inspectors) is
   reported as infeasible and gets no group; no rule is ever dropped to serve it.

All choices come from SHA-256 ranks of the matching key; ties never reach Python's
set or dict order.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from spotcheck.core.draw._runtime import gc_paused
from spotcheck.core.draw._runtime import sha256 as _sha256
from spotcheck.core.draw.canonical import FrameRow, InspectorRow, Item, lines_bytes
from spotcheck.core.draw.errors import MalformedInputError

__all__ = [
    "Balance",
    "DepartmentDraw",
    "Group",
    "Infeasible",
    "InspectorDraw",
    "Matching",
    "Member",
    "SpecialistNeeded",
    "draw_inspectors",
    "match",
]


@dataclass(frozen=True)
class DepartmentDraw:
    """One department's drawn inspectors in rank order, with the pool and eligible counts."""

    department: str
    pool: int
    eligible: int
    drawn: tuple[tuple[bytes, InspectorRow], ...]


@dataclass(frozen=True)
class InspectorDraw:
    """The inspectors drawn for each participating department, in task order."""

    departments: tuple[DepartmentDraw, ...]

    def by_department(self) -> Mapping[str, DepartmentDraw]:
        return {d.department: d for d in self.departments}


def draw_inspectors(
    pool: Iterable[InspectorRow],
    *,
    departments: Sequence[str],
    draw_date: str,
    key: bytes,
    per_department: Mapping[str, int] | None = None,
) -> InspectorDraw:
    """Rank each department's drawable inspectors by SHA-256(inspectors_key || certificate).

    A department listed in ``per_department`` gets that many of its best-ranked
    drawable inspectors (all of them if it has fewer); any other gets all.
    """
    counts = per_department or {}
    rows_by_dept: dict[str, list[InspectorRow]] = {d: [] for d in departments}
    for row in pool:
        if row.department not in rows_by_dept:
            raise MalformedInputError(f"{row.certificate_no}所属部门未参与任务 / foreign dept")
        rows_by_dept[row.department].append(row)
    result = []
    for dept in departments:
        rows = rows_by_dept[dept]
        eligible = [r for r in rows if r.drawable_on(draw_date)]
        ranked = sorted(
            ((_sha256(key + r.certificate_no.encode("utf-8")).digest(), r) for r in eligible),
            key=lambda pair: (pair[0], pair[1].certificate_no),
        )
        limit = counts.get(dept, len(ranked))
        result.append(DepartmentDraw(dept, len(rows), len(eligible), tuple(ranked[:limit])))
    return InspectorDraw(tuple(result))


@dataclass(slots=True)
class Member:
    """One seat of a group; ``slot`` 0 is the leader."""

    slot: int
    department: str
    certificate_no: str


@dataclass(slots=True)
class Group:
    """The inspectors sent to one enterprise, and what each department must cover there."""

    position: int
    entity_id: str
    members: list[Member]
    coverable: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Infeasible:
    """A department that cannot staff an enterprise: too few non-avoided inspectors."""

    entity_id: str
    department: str
    required: int
    available: int


@dataclass(frozen=True)
class SpecialistNeeded:
    """A qualification no drawn inspector of the department can cover (专业人员协助)."""

    entity_id: str
    department: str
    qualification: str


@dataclass(frozen=True)
class Balance:
    """The spread of loads in one department after rebalancing."""

    department: str
    minimum: int
    maximum: int
    moves: int


@dataclass(frozen=True)
class Matching:
    """Groups in processing order, plus everything that could not be done as asked."""

    groups: tuple[Group, ...]
    infeasible: tuple[Infeasible, ...]
    specialists: tuple[SpecialistNeeded, ...]
    balance: tuple[Balance, ...]
    loads: Mapping[str, int]
    quals: Mapping[str, frozenset[str]] = field(repr=False)

    def file(self) -> bytes:
        """Return groups.tsv: one row per member, groups in processing order."""
        rows = []
        for g in self.groups:
            for m in g.members:
                role = "leader" if m.slot == 0 else "member"
                covers = ",".join(sorted(g.coverable[m.department] & self.quals[m.certificate_no]))
                line = (
                    f"{g.position}\t{g.entity_id}\t{m.slot}\t{m.department}\t"
                    f"{m.certificate_no}\t{role}\t{covers}"
                )
                rows.append(line.encode("utf-8"))
        return lines_bytes(rows)


class _Buckets:
    """Inspectors (by rank position) grouped by load, each group kept sorted."""

    def __init__(self, members: Iterable[int]) -> None:
        self.by_load: dict[int, list[int]] = {0: sorted(members)}
        if not self.by_load[0]:
            self.by_load = {}

    def move(self, i: int, old: int, new: int) -> None:
        bucket = self.by_load[old]
        del bucket[bisect.bisect_left(bucket, i)]
        if not bucket:
            del self.by_load[old]
        bisect.insort(self.by_load.setdefault(new, []), i)

    def pick(self, load: Sequence[int], excluded: set[int], u: int) -> int | None:
        """Pick among the least-loaded non-excluded members the (u mod n)-th by rank."""
        for level in sorted(self.by_load):
            bucket = self.by_load[level]
            skip = []
            for x in excluded:
                if load[x] == level:
                    p = bisect.bisect_left(bucket, x)
                    if p < len(bucket) and bucket[p] == x:  # x may not be a member here
                        skip.append(p)
            skip.sort()
            n = len(bucket) - len(skip)
            if n <= 0:
                continue
            index = u % n
            for p in skip:
                if p <= index:
                    index += 1
            return bucket[index]
        return None


class _Department:
    """Loads of one department's drawn inspectors, bucketed for fast least-loaded picks.

    Inspectors are referred to by their position in rank order, so sorting positions
    is sorting by (rank, certificate) as the rule requires.  Besides the department's
    own buckets, each qualification keeps buckets of its holders: when one
    qualification is pending, every holder covers exactly one, so the rule reduces to
    a least-loaded pick among the holders.
    """

    def __init__(self, draw: DepartmentDraw) -> None:
        self.certs = [row.certificate_no for _, row in draw.drawn]
        self.pos = {c: i for i, c in enumerate(self.certs)}
        self.quals = [frozenset(row.qualifications) for _, row in draw.drawn]
        holders: dict[str, list[int]] = defaultdict(list)
        for i, qs in enumerate(self.quals):
            for q in qs:
                holders[q].append(i)
        self.holders = dict(holders)
        self.load = [0] * len(self.certs)
        self.all = _Buckets(range(len(self.certs)))
        self.by_qual = {q: _Buckets(members) for q, members in self.holders.items()}
        self.assigned: list[list[tuple[int, int]]] = [[] for _ in self.certs]

    @property
    def buckets(self) -> dict[int, list[int]]:
        return self.all.by_load

    def bump(self, i: int, delta: int) -> None:
        old = self.load[i]
        self.load[i] = old + delta
        self.all.move(i, old, old + delta)
        for q in self.quals[i]:
            self.by_qual[q].move(i, old, old + delta)

    def pick_least_loaded(self, excluded: set[int], u: int) -> int:
        """Pick among the least-loaded non-excluded inspectors the (u mod n)-th by rank."""
        chosen = self.all.pick(self.load, excluded, u)
        if chosen is None:
            raise AssertionError("feasibility was checked before picking")
        return chosen

    def pick_covering(self, excluded: set[int], pending: set[str], u: int) -> int:
        """Pick a holder of the most pending qualifications, then least loaded, by rank."""
        if len(pending) == 1:
            (q,) = pending
            chosen = self.by_qual[q].pick(self.load, excluded, u)
            if chosen is None:
                raise AssertionError("a pending qualification always has a free holder")
            return chosen
        candidates = {i for q in pending for i in self.holders.get(q, ()) if i not in excluded}
        best = max(len(self.quals[i] & pending) for i in candidates)
        candidates = {i for i in candidates if len(self.quals[i] & pending) == best}
        low = min(self.load[i] for i in candidates)
        ordered = sorted(i for i in candidates if self.load[i] == low)
        return ordered[u % len(ordered)]


def _needs(
    row: FrameRow, item_by_code: Mapping[str, Item], rank_of: Mapping[str, int]
) -> list[tuple[str, list[str]]]:
    """Return the departments an entity's items involve, in task order, with their sorted
    non-empty qualifications."""
    needs: dict[str, set[str]] = {}
    for code in row.items:
        item = item_by_code.get(code)
        if item is None:
            raise MalformedInputError(f"{row.entity_id}的事项{code}未在公告中声明")
        quals = needs.setdefault(item.department, set())
        if item.qualification:
            quals.add(item.qualification)
    return [(d, sorted(needs[d])) for d in sorted(needs, key=rank_of.__getitem__)]


@gc_paused()
def match(
    selected: Sequence[FrameRow],
    *,
    inspectors: InspectorDraw,
    items: Iterable[Item],
    avoidance: Mapping[str, frozenset[str]],
    key: bytes,
) -> Matching:
    """Form one group per selected enterprise; see the module docstring for the rules."""
    item_by_code = {i.code: i for i in items}
    order = [d.department for d in inspectors.departments]
    rank_of = {d: n for n, d in enumerate(order)}
    depts = {d.department: _Department(d) for d in inspectors.departments}
    sha = _sha256
    processing = sorted(
        selected, key=lambda r: (sha(key + r.entity_id.encode()).digest(), r.entity_id)
    )
    needs_of: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}
    nobody: frozenset[int] = frozenset()
    groups: list[Group] = []
    infeasible: list[Infeasible] = []
    specialists: list[SpecialistNeeded] = []
    for position, row in enumerate(processing, 1):
        needs = needs_of.get(row.items)
        if needs is None:  # a handful of distinct item sets: work each out once
            needs = needs_of[row.items] = _needs(row, item_by_code, rank_of)
        required = 2 if len(needs) == 1 else 1
        avoided = avoidance.get(row.entity_id)
        blocked = {
            d: frozenset(depts[d].pos[c] for c in avoided if c in depts[d].pos)
            if avoided
            else nobody
            for d, _ in needs
        }
        short = [
            Infeasible(row.entity_id, d, required, len(depts[d].certs) - len(blocked[d]))
            for d, _ in needs
            if len(depts[d].certs) - len(blocked[d]) < required
        ]
        if short:
            infeasible += short
            continue
        coverable: dict[str, frozenset[str]] = {}
        for d, quals in needs:
            dept = depts[d]
            ok = set()
            for q in quals:
                if any(i not in blocked[d] for i in dept.holders.get(q, ())):
                    ok.add(q)
                else:
                    specialists.append(SpecialistNeeded(row.entity_id, d, q))
            coverable[d] = frozenset(ok)
        group = Group(position, row.entity_id, [], coverable)
        prefix = key + row.entity_id.encode() + b"\t"
        slot = 0
        for d, _ in needs:
            dept = depts[d]
            pending = set(coverable[d])
            excluded = set(blocked[d])
            filled = 0
            while filled < required or pending:
                u = int.from_bytes(sha(prefix + str(slot).encode()).digest(), "big")
                if pending:
                    i = dept.pick_covering(excluded, pending, u)
                else:
                    i = dept.pick_least_loaded(excluded, u)
                dept.bump(i, 1)
                dept.assigned[i].append((position, slot))
                excluded.add(i)
                pending -= dept.quals[i]
                group.members.append(Member(slot, d, dept.certs[i]))
                filled += 1
                slot += 1
        groups.append(group)
    balance = [_rebalance(depts[d], d, groups, avoidance) for d in order]
    loads = {c: dept.load[i] for dept in depts.values() for i, c in enumerate(dept.certs)}
    held = {c: dept.quals[i] for dept in depts.values() for i, c in enumerate(dept.certs)}
    return Matching(
        tuple(groups), tuple(infeasible), tuple(specialists), tuple(balance), loads, held
    )


def _rebalance(
    dept: _Department, name: str, groups: Sequence[Group], avoidance: Mapping[str, frozenset[str]]
) -> Balance:
    """Move seats from the most to the least loaded inspectors while that keeps every rule.

    Each move lowers the sum of squared loads, so the loop ends.  Donors are tried in
    rank order, their seats in processing order, receivers in rank order; the first
    admissible move is made and the search starts again.
    """
    by_position = {g.position: g for g in groups}
    moves = 0
    while dept.buckets:
        low, high = min(dept.buckets), max(dept.buckets)
        if high - low <= 1:
            break
        move = _find_move(dept, name, by_position, avoidance, high, low)
        if move is None:
            break
        donor, receiver, (position, slot) = move
        group = by_position[position]
        seat = next(m for m in group.members if m.slot == slot)
        seat.certificate_no = dept.certs[receiver]
        dept.assigned[donor].remove((position, slot))
        bisect.insort(dept.assigned[receiver], (position, slot))
        dept.bump(donor, -1)
        dept.bump(receiver, 1)
        moves += 1
    low, high = (min(dept.buckets), max(dept.buckets)) if dept.buckets else (0, 0)
    return Balance(name, low, high, moves)


def _find_move(
    dept: _Department,
    name: str,
    by_position: Mapping[int, Group],
    avoidance: Mapping[str, frozenset[str]],
    high: int,
    low: int,
) -> tuple[int, int, tuple[int, int]] | None:
    receivers = dept.buckets[low]
    for donor in dept.buckets[high]:
        for position, slot in sorted(dept.assigned[donor]):
            group = by_position[position]
            avoided = avoidance.get(group.entity_id, frozenset())
            others = [
                dept.pos[m.certificate_no]
                for m in group.members
                if m.department == name and m.slot != slot
            ]
            need = group.coverable[name]
            covered = need & frozenset().union(*(dept.quals[i] for i in others), dept.quals[donor])
            kept = frozenset().union(*(dept.quals[i] for i in others)) & need
            for receiver in receivers:
                if receiver in others or dept.certs[receiver] in avoided:
                    continue
                if covered <= kept | (dept.quals[receiver] & need):
                    return donor, receiver, (position, slot)
    return None
