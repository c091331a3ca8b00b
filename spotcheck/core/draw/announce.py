"""Freeze the frame and the pool, and announce a draw before any randomness exists.

The announcement is the contract of a draw: it fixes the roots of the frame, the pool
and the avoidance list, the per-stratum counts, the ratios and floor, the exclusion
counts, the officials' commitments and the named future public value.  Its SHA-256
enters the seed, so nothing in it can change once the reveals are known.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spotcheck.core.draw.canonical import (
    RISK_CLASSES,
    VERSION,
    FrameRow,
    InspectorRow,
    Item,
    canonical_json,
    check_date,
    check_text,
    frame_line,
    lines_bytes,
    parse_decimal,
    pool_line,
    stratum_label,
)
from spotcheck.core.draw.commit import AvoidanceCommitment
from spotcheck.core.draw.errors import AnnouncementError, MalformedInputError
from spotcheck.core.draw.merkle import merkle_root

__all__ = [
    "SHORTFALL_RULE",
    "Announcement",
    "Exclusion",
    "FrozenFrame",
    "FrozenPool",
    "OfficialCommitment",
    "PublicSource",
    "SamplingPlan",
    "announce",
    "apply_exclusions",
    "freeze_frame",
    "freeze_pool",
]

# The only shortfall rule of DRAW-v1: the floor is topped up with the next-ranked
# entities of the whole frame, whatever their stratum (spec §5.2).
SHORTFALL_RULE = "next_ranked"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class FrozenFrame:
    """The candidate frame as frozen: canonical rows, root and per-stratum counts."""

    rows: tuple[FrameRow, ...]
    root: bytes
    strata: Mapping[str, int]
    keyed: bool

    def file(self) -> bytes:
        """Return frame.tsv."""
        return lines_bytes([frame_line(r) for r in self.rows])


@dataclass(frozen=True)
class FrozenPool:
    """The inspector pool as frozen: canonical rows and root."""

    rows: tuple[InspectorRow, ...]
    root: bytes

    def file(self) -> bytes:
        """Return pool.tsv."""
        return lines_bytes([pool_line(r) for r in self.rows])


def freeze_frame(rows: Iterable[FrameRow], *, keyed: bool = False) -> FrozenFrame:
    """Sort the frame canonically, refuse duplicates and compute its root and counts."""
    ordered = tuple(sorted(rows, key=lambda r: r.entity_id))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.entity_id == b.entity_id:
            raise MalformedInputError(f"检查对象重复：{a.entity_id} / duplicate entity")
    if not keyed and any(r.stratum_extra for r in ordered):
        raise MalformedInputError("未声明分层键却填写了分层键值 / stratum value without a key")
    counts = Counter(stratum_label(r.risk_class, r.stratum_extra, keyed=keyed) for r in ordered)
    root = merkle_root(frame_line(r) for r in ordered)
    return FrozenFrame(ordered, root, dict(sorted(counts.items())), keyed)


def freeze_pool(rows: Iterable[InspectorRow]) -> FrozenPool:
    """Sort the pool canonically, refuse duplicate certificates and compute its root."""
    ordered = tuple(sorted(rows, key=lambda r: r.certificate_no))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.certificate_no == b.certificate_no:
            raise MalformedInputError(f"执法证号重复：{a.certificate_no} / duplicate certificate")
    return FrozenPool(ordered, merkle_root(pool_line(r) for r in ordered))


@dataclass(frozen=True)
class Exclusion:
    """A declared exclusion rule and how many candidates it removed before the freeze."""

    reason: str
    rule: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "reason": self.reason, "rule": self.rule}


def apply_exclusions(
    candidates: Iterable[FrameRow],
    excluded: Mapping[str, Sequence[str]],
    rules: Sequence[tuple[str, str]],
) -> tuple[list[FrameRow], tuple[Exclusion, ...]]:
    """Drop excluded candidates before the freeze and count them by their first reason.

    ``excluded`` maps an entity id to the reasons that apply to it; ``rules`` lists
    (reason, human-readable rule) in declared order, e.g. ("recently_checked",
    "同一部门同一事项180日内已检查").  An entity with several reasons is counted once,
    under the first declared reason, so the counts add up to the entities removed.
    """
    order = {reason: i for i, (reason, _) in enumerate(rules)}
    counts: Counter[str] = Counter()
    kept = []
    for row in candidates:
        reasons = excluded.get(row.entity_id)
        if not reasons:
            kept.append(row)
            continue
        unknown = [r for r in reasons if r not in order]
        if unknown:
            raise AnnouncementError(f"未声明的排除理由：{unknown[0]} / undeclared exclusion")
        counts[min(reasons, key=order.__getitem__)] += 1
    return kept, tuple(Exclusion(reason, rule, counts[reason]) for reason, rule in rules)


@dataclass(frozen=True)
class OfficialCommitment:
    """An official's published commitment: SHA-256(secret || official_id)."""

    official_id: str
    department: str
    commitment: bytes

    def as_json(self) -> dict[str, str]:
        return {
            "commitment": self.commitment.hex(),
            "department": self.department,
            "official_id": self.official_id,
        }


@dataclass(frozen=True)
class PublicSource:
    """A named future public value: a drand round or an official lottery draw."""

    kind: str
    chain_hash: str = ""
    round: int = 0
    name: str = ""
    draw: str = ""

    def __post_init__(self) -> None:
        if self.kind == "drand":
            if not _HEX64.fullmatch(self.chain_hash) or self.round < 1:
                raise AnnouncementError("drand须给出链哈希（64位小写十六进制）和轮次")
        elif self.kind == "lottery":
            check_text(self.name, "彩票名称")
            check_text(self.draw, "开奖期号")
        else:
            raise AnnouncementError(f"公共随机源应为drand或lottery：{self.kind!r}")

    def as_json(self) -> dict[str, Any]:
        if self.kind == "drand":
            return {"chain_hash": self.chain_hash, "kind": "drand", "round": self.round}
        return {"draw": self.draw, "kind": "lottery", "name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublicSource:
        if data.get("kind") == "drand":
            return cls("drand", chain_hash=data["chain_hash"], round=data["round"])
        return cls(str(data.get("kind")), name=data.get("name", ""), draw=data.get("draw", ""))


@dataclass(frozen=True)
class SamplingPlan:
    """Ratios per risk class, the total floor and the reserve ratio, as decimal strings."""

    ratios: Mapping[str, str]
    floor: str = "0"
    reserve_ratio: str = "0.1"
    stratum_key: str = ""
    replacement_reasons: tuple[str, ...] = ("cancelled", "moved_out", "not_found")

    def __post_init__(self) -> None:
        for risk, ratio in self.ratios.items():
            if risk not in RISK_CLASSES:
                raise AnnouncementError(f"未知的信用风险分类：{risk!r}")
            parse_decimal(ratio, f"{risk}类抽查比例")
        parse_decimal(self.floor, "总比例下限")
        parse_decimal(self.reserve_ratio, "备选比例", maximum=10)
        check_text(self.stratum_key, "分层键", allow_empty=True)
        for reason in self.replacement_reasons:
            check_text(reason, "替补理由")

    def as_json(self) -> dict[str, Any]:
        return {
            "floor": self.floor,
            "ratios": dict(sorted(self.ratios.items())),
            "replacement_reasons": sorted(self.replacement_reasons),
            "reserve_ratio": self.reserve_ratio,
            "shortfall_rule": SHORTFALL_RULE,
            "stratum_key": self.stratum_key,
        }


@dataclass(frozen=True)
class Announcement:
    """Everything published before randomness exists; see docs/draw-spec.md §4."""

    task_id: str
    announced_at: str
    draw_date: str
    departments: tuple[str, ...]
    items: tuple[Item, ...]
    plan: SamplingPlan
    frame_root: bytes
    frame_count: int
    strata: Mapping[str, int]
    exclusions: tuple[Exclusion, ...]
    pool_root: bytes
    pool_count: int
    inspectors_per_department: Mapping[str, int]
    avoidance_root: bytes
    avoidance_count: int
    commitments: tuple[OfficialCommitment, ...]
    primary: PublicSource | None = None
    fallback: PublicSource | None = None
    _bytes: bytes = field(default=b"", repr=False, compare=False)

    @property
    def lead_department(self) -> str:
        return self.departments[0]

    def as_json(self) -> dict[str, Any]:
        """Return the announcement as the JSON object of announcement.json."""
        public: dict[str, Any] | None = None
        if self.primary is not None:
            public = {
                "fallback": self.fallback.as_json() if self.fallback else None,
                "primary": self.primary.as_json(),
            }
        return {
            "announced_at": self.announced_at,
            "avoidance": {"count": self.avoidance_count, "root": self.avoidance_root.hex()},
            "commitments": [c.as_json() for c in self.commitments],
            "departments": list(self.departments),
            "draw_date": self.draw_date,
            "exclusions": [e.as_json() for e in self.exclusions],
            "frame": {
                "count": self.frame_count,
                "root": self.frame_root.hex(),
                "strata": [{"count": n, "stratum": s} for s, n in self.strata.items()],
            },
            "inspectors_per_department": [
                {"count": n, "department": d}
                for d, n in sorted(self.inspectors_per_department.items())
            ],
            "items": [i.as_json() for i in self.items],
            "pool": {"count": self.pool_count, "root": self.pool_root.hex()},
            "public_value": public,
            "sampling": self.plan.as_json(),
            "task_id": self.task_id,
            "version": VERSION,
        }

    def to_bytes(self) -> bytes:
        """Return announcement.json: canonical JSON, the bytes the seed commits to."""
        return canonical_json(self.as_json())

    def sha256(self) -> bytes:
        """Return SHA-256 of announcement.json."""
        return hashlib.sha256(self.to_bytes()).digest()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Announcement:
        """Read announcement.json (already parsed) and validate it."""
        try:
            if data["version"] != VERSION:
                raise AnnouncementError(f"不支持的算法版本：{data['version']!r}")
            sampling = data["sampling"]
            if sampling["shortfall_rule"] != SHORTFALL_RULE:
                raise AnnouncementError("不支持的补足规则 / unknown shortfall rule")
            public = data["public_value"]
            ann = cls(
                task_id=data["task_id"],
                announced_at=data["announced_at"],
                draw_date=data["draw_date"],
                departments=tuple(data["departments"]),
                items=tuple(Item(**i) for i in data["items"]),
                plan=SamplingPlan(
                    ratios=dict(sampling["ratios"]),
                    floor=sampling["floor"],
                    reserve_ratio=sampling["reserve_ratio"],
                    stratum_key=sampling["stratum_key"],
                    replacement_reasons=tuple(sampling["replacement_reasons"]),
                ),
                frame_root=bytes.fromhex(data["frame"]["root"]),
                frame_count=data["frame"]["count"],
                strata={s["stratum"]: s["count"] for s in data["frame"]["strata"]},
                exclusions=tuple(Exclusion(**e) for e in data["exclusions"]),
                pool_root=bytes.fromhex(data["pool"]["root"]),
                pool_count=data["pool"]["count"],
                inspectors_per_department={
                    d["department"]: d["count"] for d in data["inspectors_per_department"]
                },
                avoidance_root=bytes.fromhex(data["avoidance"]["root"]),
                avoidance_count=data["avoidance"]["count"],
                commitments=tuple(
                    OfficialCommitment(
                        c["official_id"], c["department"], bytes.fromhex(c["commitment"])
                    )
                    for c in data["commitments"]
                ),
                primary=PublicSource.from_json(public["primary"]) if public else None,
                fallback=(
                    PublicSource.from_json(public["fallback"])
                    if public and public["fallback"]
                    else None
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AnnouncementError(f"公告格式错误 / malformed announcement: {exc!r}") from None
        _validate(ann)
        return ann


def announce(
    *,
    task_id: str,
    announced_at: str,
    draw_date: str,
    departments: Sequence[str],
    items: Iterable[Item],
    plan: SamplingPlan,
    frame: FrozenFrame,
    exclusions: Sequence[Exclusion],
    pool: FrozenPool,
    avoidance: AvoidanceCommitment,
    commitments: Iterable[OfficialCommitment],
    inspectors_per_department: Mapping[str, int] | None = None,
    primary: PublicSource | None = None,
    fallback: PublicSource | None = None,
) -> Announcement:
    """Build and validate the announcement; ``departments[0]`` is the lead department."""
    ann = Announcement(
        task_id=task_id,
        announced_at=announced_at,
        draw_date=draw_date,
        departments=tuple(departments),
        items=tuple(sorted(items, key=lambda i: i.code)),
        plan=plan,
        frame_root=frame.root,
        frame_count=len(frame.rows),
        strata=dict(frame.strata),
        exclusions=tuple(exclusions),
        pool_root=pool.root,
        pool_count=len(pool.rows),
        inspectors_per_department=dict(inspectors_per_department or {}),
        avoidance_root=avoidance.root,
        avoidance_count=avoidance.count,
        commitments=tuple(sorted(commitments, key=lambda c: c.official_id)),
        primary=primary,
        fallback=fallback,
    )
    if frame.keyed != bool(plan.stratum_key):
        raise AnnouncementError("名录冻结时的分层方式与抽查方案不一致 / stratum key mismatch")
    _validate(ann)
    return ann


def _validate(ann: Announcement) -> None:
    """Enforce the rules an announcement must meet before it may be published."""
    check_text(ann.task_id, "任务编号")
    check_text(ann.announced_at, "公告时间")
    check_date(ann.draw_date, "抽取日期")
    if not ann.departments or len(set(ann.departments)) != len(ann.departments):
        raise AnnouncementError("参与部门不能为空或重复 / departments empty or repeated")
    for dept in ann.departments:
        check_text(dept, "部门编码")
    codes = [i.code for i in ann.items]
    if not codes or codes != sorted(set(codes)):
        raise AnnouncementError("抽查事项须排序且不重复 / items must be sorted and unique")
    for item in ann.items:
        if item.department not in ann.departments:
            raise AnnouncementError(f"事项{item.code}所属部门未参与任务 / item of another dept")
    for label in ann.strata:
        if label[0] not in ann.plan.ratios:
            raise AnnouncementError(f"未给出{label[0]}类的抽查比例 / ratio missing")
    if sum(ann.strata.values()) != ann.frame_count or list(ann.strata) != sorted(ann.strata):
        raise AnnouncementError("分层计数与名录总数不符 / strata counts do not add up")
    for dept, n in ann.inspectors_per_department.items():
        if dept not in ann.departments or not isinstance(n, int) or n < 1:
            raise AnnouncementError(f"部门抽取人数无效：{dept} / bad inspector count")
    ids = [c.official_id for c in ann.commitments]
    if ids != sorted(set(ids)):
        raise AnnouncementError("承诺须按官员标识排序且不重复 / commitments not sorted")
    # 国发〔2019〕5号 makes the draw a joint act: no single department may control the seed.
    if len(ann.commitments) < 2 or len({c.department for c in ann.commitments}) < 2:
        raise AnnouncementError(
            "至少需要来自两个不同部门的两名官员作出承诺 / need commitments from two departments"
        )
    for c in ann.commitments:
        check_text(c.official_id, "官员标识")
        check_text(c.department, "部门编码")
        if c.department not in ann.departments:
            raise AnnouncementError(f"作出承诺的官员{c.official_id}所在部门未参与本任务")
        if len(c.commitment) != 32:
            raise AnnouncementError("承诺值须为32字节 / commitment must be 32 bytes")
    if ann.fallback is not None and ann.primary is None:
        raise AnnouncementError("只有备用随机源而无主随机源 / fallback without primary")
    reasons = [e.reason for e in ann.exclusions]
    if len(set(reasons)) != len(reasons):
        raise AnnouncementError("排除理由重复 / exclusion reason repeated")
    for e in ann.exclusions:
        check_text(e.reason, "排除理由")
        check_text(e.rule, "排除规则")
        if not isinstance(e.count, int) or e.count < 0:
            raise AnnouncementError("排除数量无效 / bad exclusion count")
