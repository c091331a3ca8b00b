"""Build synthetic draw scenarios as plain JSON-able dicts, and run them through the engine.

A scenario dict is also the input half of a golden vector, so everything in it is
explicit: rows, salts, secrets and the public value.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spotcheck.core.draw import (
    AvoidanceCommitment,
    DrawOutcome,
    Exclusion,
    FrameRow,
    FrozenFrame,
    FrozenPool,
    InspectorRow,
    Item,
    OfficialCommitment,
    PublicSource,
    PublicValue,
    Reveal,
    SamplingPlan,
    announce,
    commit_avoidance,
    commitment,
    freeze_frame,
    freeze_pool,
    run_draw,
    write_bundle,
)
from spotcheck.core.draw.drand import DrandBeacon
from spotcheck.core.draw.tests import drand_vectors as v
from spotcheck.core.uscc import build_uscc

DEPARTMENTS = ("SCJG", "YJJ", "NYNC")
ITEMS = [
    {"code": "SC01", "department": "SCJG", "qualification": "", "kind": "general"},
    {"code": "SC02", "department": "SCJG", "qualification": "tezhong", "kind": "key"},
    {"code": "YJ01", "department": "YJJ", "qualification": "", "kind": "general"},
    {"code": "YJ02", "department": "YJJ", "qualification": "yaopin", "kind": "key"},
    {"code": "NY01", "department": "NYNC", "qualification": "", "kind": "general"},
]
DRAND = {
    "kind": "drand",
    "chain_hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "round": 30022612,
}


def _hex(rng: random.Random, n: int) -> str:
    return bytes(rng.randrange(256) for _ in range(n)).hex()


def generate(
    seed: int,
    n_entities: int = 300,
    inspectors: tuple[int, ...] = (12, 6, 4),
    *,
    keyed: bool = False,
    conflict_rate: float = 0.05,
) -> dict[str, Any]:
    """Return a random but fully explicit scenario (the input half of a golden vector)."""
    rng = random.Random(seed)
    frame: list[list[Any]] = []
    seen = set()
    while len(frame) < n_entities:
        if rng.random() < 0.1:
            entity_id = "".join(rng.choice("0123456789") for _ in range(15))  # legacy 注册号
        else:
            body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
            entity_id = build_uscc("9", rng.choice("123"), "130183", body)
        if entity_id in seen:
            continue
        seen.add(entity_id)
        risk = rng.choices("ABCDU", weights=(40, 35, 15, 5, 5))[0]
        items = {"SC01"}
        if rng.random() < 0.2:
            items.add("SC02")
        if rng.random() < 0.4:
            items.add(rng.choice(["YJ01", "YJ02"]))
        if rng.random() < 0.25:
            items.add("NY01")
        if rng.random() < 0.15:
            items = {rng.choice(["YJ01", "NY01"])}
        extra = rng.choice(["晋州镇", "总十庄镇"]) if keyed else ""
        frame.append([entity_id, risk, extra, sorted(items)])
    pool = []
    quals = {"SCJG": "tezhong", "YJJ": "yaopin", "NYNC": "nongyao"}
    for dept, count in zip(DEPARTMENTS, inspectors, strict=True):
        for n in range(count):
            status = "on_duty" if rng.random() < 0.85 else rng.choice(["leave", "retired"])
            until = "2027-12-31" if rng.random() < 0.9 else "2026-03-31"
            q = [quals[dept]] if rng.random() < 0.3 else []
            pool.append([f"冀{dept}{n:04d}", dept, status, "2020-01-01", until, q])
    avoidance = []
    certs = [p[0] for p in pool]
    for row in frame:
        if certs and rng.random() < conflict_rate:
            for cert in rng.sample(certs, min(len(certs), rng.choice([1, 2]))):
                avoidance.append([row[0], cert, _hex(rng, 16)])
    return {
        "task_id": f"JZ-2026-{seed:03d}",
        "announced_at": "2026-06-29T10:00:00+08:00",
        "draw_date": "2026-07-01",
        "departments": list(DEPARTMENTS),
        "items": ITEMS,
        "plan": {
            "ratios": {"A": "0.01", "B": "0.03", "C": "0.05", "D": "0.2", "U": "0.03"},
            "floor": "0.05",
            "reserve_ratio": "0.2",
            "stratum_key": "township" if keyed else "",
        },
        "inspectors_per_department": {"SCJG": 10},
        "exclusions": [
            {"reason": "recently_checked", "rule": "同一部门同一事项180日内已检查", "count": 7},
            {"reason": "annual_cap", "rule": "本年度同一部门抽查已达上限（1次）", "count": 2},
        ],
        "frame": frame,
        "pool": pool,
        "avoidance": avoidance,
        "officials": [
            ["scjg-zhang", "SCJG", _hex(rng, 32)],
            ["yjj-li", "YJJ", _hex(rng, 32)],
        ],
        "public": {
            "primary": DRAND,
            "fallback": {"kind": "lottery", "name": "中国福利彩票双色球", "draw": "2026075"},
            "used": "primary",
            "signature": _hex(rng, 48),
        },
    }


@dataclass
class Run:
    """A scenario after running: the engine's outcome and the frozen inputs."""

    outcome: DrawOutcome
    frame: FrozenFrame
    pool: FrozenPool
    avoidance: AvoidanceCommitment
    reveals: list[Reveal]

    def write(self, directory: Path) -> dict[str, bytes]:
        return write_bundle(
            directory,
            outcome=self.outcome,
            frame=self.frame,
            pool=self.pool,
            avoidance_leaves=list(self.avoidance.leaves),
            reveals=self.reveals,
        )


def frame_rows(s: dict[str, Any]) -> list[FrameRow]:
    return [FrameRow.of(e, r, items, x) for e, r, x, items in s["frame"]]


def pool_rows(s: dict[str, Any]) -> list[InspectorRow]:
    return [InspectorRow.of(c, d, st, f, u, q) for c, d, st, f, u, q in s["pool"]]


def public_value(s: dict[str, Any]) -> PublicValue:
    pub = s["public"]
    if pub is None or pub["used"] == "none":
        return PublicValue()
    if pub[pub["used"]]["kind"] == "lottery":
        return PublicValue(pub["used"], pub["value"].encode(), b"", pub.get("note", ""))
    signature = bytes.fromhex(pub["signature"])
    beacon = DrandBeacon.from_json(pub["drand"]) if pub.get("drand") else None
    return PublicValue(pub["used"], hashlib.sha256(signature).digest(), signature, "", beacon)


def run(s: dict[str, Any]) -> Run:
    """Freeze, announce, reveal and draw a scenario."""
    plan = SamplingPlan(**s["plan"])
    frame = freeze_frame(frame_rows(s), keyed=bool(plan.stratum_key))
    pool = freeze_pool(pool_rows(s))
    avoidance = commit_avoidance(
        [(e, c) for e, c, _ in s["avoidance"]],
        salts={(e, c): bytes.fromhex(salt) for e, c, salt in s["avoidance"]},
    )
    officials = [(o, d, bytes.fromhex(secret)) for o, d, secret in s["officials"]]
    pub = s["public"]
    ann = announce(
        task_id=s["task_id"],
        announced_at=s["announced_at"],
        draw_date=s["draw_date"],
        departments=s["departments"],
        items=[Item(**i) for i in s["items"]],
        plan=plan,
        frame=frame,
        exclusions=[Exclusion(**e) for e in s["exclusions"]],
        pool=pool,
        avoidance=avoidance,
        commitments=[OfficialCommitment(o, d, commitment(sec, o)) for o, d, sec in officials],
        inspectors_per_department=s["inspectors_per_department"],
        primary=PublicSource.from_json(pub["primary"]) if pub and pub["primary"] else None,
        fallback=PublicSource.from_json(pub["fallback"]) if pub and pub["fallback"] else None,
    )
    reveals = [Reveal(o, sec) for o, _, sec in officials]
    outcome = run_draw(
        announcement=ann,
        frame=frame,
        pool=pool,
        avoidance_leaves=avoidance.leaves,
        avoidance_pairs=avoidance.pairs,
        reveals=reveals,
        public_value=public_value(s),
    )
    return Run(outcome, frame, pool, avoidance, reveals)


def drand_scenario(beacon: dict[str, Any], **public: Any) -> dict[str, Any]:
    """A small scenario whose public value is a real drand round."""
    s = generate(7, n_entities=60, inspectors=(6, 3, 3))
    s["public"] = {
        "primary": {"chain_hash": beacon["chain"], "kind": "drand", "round": beacon["round"]},
        "fallback": None,
        "used": "primary",
        "signature": beacon["signature"],
        "drand": {
            "chain": v.INFO[beacon["chain"]],
            "previous_signature": beacon["previous_signature"],
        },
        **public,
    }
    return s
