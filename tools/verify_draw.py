#!/usr/bin/env python3
"""Verify a DRAW-v1 bundle of a 双随机、一公开 draw — 抽查结果公开验证工具.

Usage:
    python verify_draw.py BUNDLE_DIR [--recompute OUT_DIR] [--expect-announcement HEX] [--jobs N]

Recomputes, from the bundle's inputs alone, the Merkle roots, the seed, the drawn
entities, the reserve lists, the drawn inspectors, the groups and the matching, and
compares them byte for byte with the bundle.  A DRAW-v1.1 bundle also carries the
replacements made after the draw (replacements.tsv: each must take the next unused
reserve entity of its stratum for an announced reason) and the matching of the final
list (final.json, final_groups.tsv); both are checked the same way.  A drand round
named as the public value is checked against the drand chain's public key (BLS12-381
signature verification, implemented below in pure Python).  Exit status:
    0  everything matches            全部一致
    1  a difference (the first one is printed)   发现不一致
    2  the bundle is malformed       数据包格式错误

This file is a second, independent implementation of docs/draw-spec.md (DRAW-v1).  It
needs Python 3.8+ and the standard library only, and never imports the platform.
It deliberately re-implements the platform's file readers (spotcheck/core/draw/canonical.py)
instead of sharing them, so that a citizen can run it with nothing but Python; the golden
vectors (spotcheck/core/draw/tests/golden) keep the two implementations in step.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import gc
import hashlib
import itertools
import json
import math
import os
import re
import sys
import unicodedata
from collections import Counter
from fractions import Fraction
from pathlib import Path

VERSION = "DRAW-v1"
INPUTS = [
    "announcement.json",
    "frame.tsv",
    "pool.tsv",
    "avoidance.tsv",
    "avoidance_openings.tsv",
    "reveals.json",
]
OUTPUTS = ["result.json", "selection.tsv", "inspectors.tsv", "groups.tsv"]
# DRAW-v1.1 (spec §10.1): the DRAW-v1 files plus the replacements made after the draw
# and, once the platform has matched, the matching of the final list.
EXTENSION = "DRAW-v1.1"
REPLACEMENTS = "replacements.tsv"
FINAL = ["final.json", "final_groups.tsv"]
EMPTY_ROOT = hashlib.sha256(b"").digest()


class Malformed(Exception):
    """The bundle does not follow the format (exit 2)."""


class Difference(Exception):
    """The bundle is well formed but something does not match (exit 1)."""


def sha(data):
    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------- canonical forms (§2)

FORBIDDEN = re.compile(r"[\x00-\x1f\x7f,]")
DECIMAL = re.compile(r"(0|[1-9][0-9]{0,5})(\.[0-9]{1,12})?\Z")
ENTITY = re.compile(r"([0-9A-Z]{18}|[0-9]{15})\Z")
HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def text(value, what, empty_ok=False):
    if not isinstance(value, str):
        raise Malformed(f"{what} 不是文本 / is not text: {value!r}")
    if value == "":
        if empty_ok:
            return value
        raise Malformed(f"{what} 为空 / is empty")
    if (
        len(value) > 200
        or FORBIDDEN.search(value)
        or value[0] == " "
        or value[-1] == " "
        or not unicodedata.is_normalized("NFC", value)
    ):
        raise Malformed(f"{what} 不是规范文本 / is not a canonical text field: {value!r}")
    return value


def decimal(value, what, limit=1):
    if not isinstance(value, str) or not DECIMAL.match(value):
        raise Malformed(f"{what} 不是十进制小数文本 / is not a decimal string: {value!r}")
    number = Fraction(value)
    if number > limit:
        raise Malformed(f"{what} 超过 / exceeds {limit}")
    return number


def iso_date(value, what):
    if not isinstance(value, str) or not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", value):
        raise Malformed(f"{what} 不是日期 / is not a date: {value!r}")
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        raise Malformed(f"{what} 不是日期 / is not a date: {value!r}") from None
    return value


def sorted_list(field, what):
    """Parse a list field: comma-joined, sorted, unique; "" is the empty list."""
    if field == "":
        return []
    values = field.split(",")
    for v in values:
        text(v, what)
    if values != sorted(set(values)):
        raise Malformed(f"{what} 未排序或重复 / not sorted or repeated: {field!r}")
    return values


def canon(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def check_json_value(value, where):
    if isinstance(value, float):
        raise Malformed(f"{where} 含浮点数 / contains a float")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        raise Malformed(f"{where} 整数过大 / integer too large")
    if isinstance(value, list):
        for v in value:
            check_json_value(v, where)
    if isinstance(value, dict):
        for k, v in value.items():
            if not all(ord(ch) < 128 for ch in k):
                raise Malformed(f"{where} 键非ASCII / non-ASCII key")
            check_json_value(v, where)


def load_json(data, name):
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError:
        raise Malformed(f"{name} 不是JSON / is not JSON") from None
    check_json_value(value, name)
    if canon(value) != data:
        raise Malformed(f"{name} 不是规范JSON (RFC 8785) / is not canonical JSON")
    return value


def need(obj, keys, where):
    """Require a JSON object with exactly these members."""
    if not isinstance(obj, dict) or sorted(obj) != sorted(keys):
        raise Malformed(f"{where} 的字段应为 / must have exactly the members {sorted(keys)}")
    return obj


def integer(value, where, low=0):
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise Malformed(f"{where} 应为整数 / must be an integer >= {low}")
    return value


def rows_of(data, name):
    if data == b"":
        return []
    if not data.endswith(b"\n") or b"\r" in data:
        raise Malformed(f"{name} 每行须以LF结尾且无CR / every row must end with LF")
    return data[:-1].split(b"\n")


def check_sorted(rows, name):
    for a, b in zip(rows, rows[1:]):  # noqa: B905 - strict= needs Python 3.10
        if not a < b:
            raise Malformed(f"{name} 未按字节排序或有重复行 / rows not sorted or repeated")


# ---------------------------------------------------------------- Merkle tree (§4)


class Merkle:
    """Streaming RFC 6962 tree: a stack of perfect subtrees, merged like a binary counter.

    Adding a perfect subtree of 2^j leaves when the tree holds a multiple of 2^j leaves
    gives the same tree as adding those leaves one by one; the frame is hashed in such
    aligned blocks (perfect_root), possibly in worker processes.
    """

    def __init__(self):
        self.stack = []  # (size, hash), sizes strictly decreasing powers of two
        self.count = 0

    def add_subtree(self, size, node):
        self.count += size
        while self.stack and self.stack[-1][0] == size:
            node = sha(b"\x01" + self.stack.pop()[1] + node)
            size *= 2
        self.stack.append((size, node))

    def add_leaves(self, hashes):
        for leaf in hashes:
            self.add_subtree(1, leaf)

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        node = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            node = sha(b"\x01" + left + node)
        return node


def perfect_root(leaves):
    """Root of a perfect subtree (a power of two of leaf hashes)."""
    sha256 = hashlib.sha256
    while len(leaves) > 1:
        leaves = [
            sha256(b"\x01" + leaves[i] + leaves[i + 1]).digest() for i in range(0, len(leaves), 2)
        ]
    return leaves[0]


def merkle_of(rows):
    tree = Merkle()
    tree.add_leaves(sha(b"\x00" + row) for row in rows)
    return tree.root()


# ---------------------------------------------------------------- announcement (§5)


def parse_source(src, where):
    if not isinstance(src, dict):
        raise Malformed(f"{where} 应为对象 / must be an object")
    if src.get("kind") == "drand":
        need(src, ["chain_hash", "kind", "round"], where)
        if not isinstance(src["chain_hash"], str) or not HEX64.match(src["chain_hash"]):
            raise Malformed(f"{where} chain_hash")
        integer(src["round"], where + ".round", 1)
    elif src.get("kind") == "lottery":
        need(src, ["draw", "kind", "name"], where)
        text(src["name"], where + ".name")
        text(src["draw"], where + ".draw")
    else:
        raise Malformed(f"{where} kind 应为 drand 或 lottery")
    return src


def parse_announcement(ann):
    need(
        ann,
        [
            "announced_at",
            "avoidance",
            "commitments",
            "departments",
            "draw_date",
            "exclusions",
            "frame",
            "inspectors_per_department",
            "items",
            "pool",
            "public_value",
            "sampling",
            "task_id",
            "version",
        ],
        "announcement",
    )
    if ann["version"] != VERSION:
        raise Malformed("不支持的版本 / unsupported version {!r}".format(ann["version"]))
    text(ann["task_id"], "task_id")
    text(ann["announced_at"], "announced_at")
    iso_date(ann["draw_date"], "draw_date")
    depts = ann["departments"]
    if not isinstance(depts, list) or not depts or len(set(depts)) != len(depts):
        raise Malformed("departments 为空或重复 / empty or repeated")
    for d in depts:
        text(d, "department")
    items = {}
    for it in ann["items"]:
        need(it, ["code", "department", "kind", "qualification"], "item")
        text(it["code"], "item code")
        text(it["qualification"], "qualification", empty_ok=True)
        if it["department"] not in depts or it["kind"] not in ("key", "general"):
            raise Malformed("事项 {} 的部门或类别无效 / bad department or kind".format(it["code"]))
        items[it["code"]] = it
    codes = [it["code"] for it in ann["items"]]
    if not codes or codes != sorted(set(codes)):
        raise Malformed("items 须按编码排序且不重复 / items not sorted or repeated")
    sampling = need(
        ann["sampling"],
        [
            "floor",
            "ratios",
            "replacement_reasons",
            "reserve_ratio",
            "shortfall_rule",
            "stratum_key",
        ],
        "sampling",
    )
    if sampling["shortfall_rule"] != "next_ranked":
        raise Malformed("未知的补足规则 / unknown shortfall rule")
    ratios = {}
    if not isinstance(sampling["ratios"], dict):
        raise Malformed("ratios 应为对象")
    for risk, value in sampling["ratios"].items():
        if risk not in ("A", "B", "C", "D", "U"):
            raise Malformed(f"未知风险分类 / unknown risk class {risk!r}")
        ratios[risk] = decimal(value, "ratio " + risk)
    floor = decimal(sampling["floor"], "floor")
    reserve = decimal(sampling["reserve_ratio"], "reserve_ratio", 10)
    text(sampling["stratum_key"], "stratum_key", empty_ok=True)
    reasons = sampling["replacement_reasons"]
    if not isinstance(reasons, list) or reasons != sorted(set(reasons)):
        raise Malformed("replacement_reasons 未排序 / not sorted")
    for r in reasons:
        text(r, "replacement reason")
    frame = need(ann["frame"], ["count", "root", "strata"], "frame")
    strata = {}
    for s in frame["strata"]:
        need(s, ["count", "stratum"], "frame.strata")
        text(s["stratum"], "stratum")
        if s["stratum"][0] not in ratios:
            raise Malformed("分层 {} 没有抽查比例 / no ratio".format(s["stratum"]))
        strata[s["stratum"]] = integer(s["count"], "stratum count", 1)
    labels = [s["stratum"] for s in frame["strata"]]
    if labels != sorted(set(labels)) or sum(strata.values()) != integer(frame["count"], "count"):
        raise Malformed("frame.strata 未排序或计数不符 / strata not sorted or not adding up")
    for e in ann["exclusions"]:
        need(e, ["count", "reason", "rule"], "exclusion")
        text(e["reason"], "exclusion reason")
        text(e["rule"], "exclusion rule")
        integer(e["count"], "exclusion count")
    if len({e["reason"] for e in ann["exclusions"]}) != len(ann["exclusions"]):
        raise Malformed("排除理由重复 / exclusion reason repeated")
    per_dept = {}
    for x in ann["inspectors_per_department"]:
        need(x, ["count", "department"], "inspectors_per_department")
        if x["department"] not in depts:
            raise Malformed("inspectors_per_department 部门不在任务中")
        per_dept[x["department"]] = integer(x["count"], "inspector count", 1)
    listed = [x["department"] for x in ann["inspectors_per_department"]]
    if listed != sorted(set(listed)):
        raise Malformed("inspectors_per_department 未排序 / not sorted")
    for part in ("pool", "avoidance"):
        need(ann[part], ["count", "root"], part)
        integer(ann[part]["count"], part + ".count")
    for part in ("frame", "pool", "avoidance"):
        if not isinstance(ann[part]["root"], str) or not HEX64.match(ann[part]["root"]):
            raise Malformed(f"{part}.root 应为64位十六进制")
    commits = ann["commitments"]
    for c in commits:
        need(c, ["commitment", "department", "official_id"], "commitment")
        text(c["official_id"], "official_id")
        text(c["department"], "official department")
        if c["department"] not in depts:
            raise Malformed(
                "作出承诺的官员所在部门未参与本任务 / commitment department {} is not one of "
                "the task's departments".format(c["department"])
            )
        if not isinstance(c["commitment"], str) or not HEX64.match(c["commitment"]):
            raise Malformed("commitment 应为64位十六进制")
    ids = [c["official_id"] for c in commits]
    if ids != sorted(set(ids)):
        raise Malformed("commitments 未按官员排序 / not sorted by official_id")
    if len(commits) < 2 or len({c["department"] for c in commits}) < 2:
        raise Malformed("承诺须来自至少两个部门的两名官员 / need two officials of two departments")
    pv = ann["public_value"]
    if pv is not None:
        need(pv, ["fallback", "primary"], "public_value")
        parse_source(pv["primary"], "primary")
        if pv["fallback"] is not None:
            parse_source(pv["fallback"], "fallback")
    return {
        "raw": ann,
        "items": items,
        "ratios": ratios,
        "floor": floor,
        "reserve": reserve,
        "reasons": set(reasons),
        "keyed": sampling["stratum_key"] != "",
        "strata": strata,
        "per_dept": per_dept,
    }


# ---------------------------------------------------------------- drand beacons (§6.3)
#
# A drand round's signature is a BLS signature by the chain's key: on G1 with the key on
# G2 for quicknet (bls-unchained-g1-rfc9380, message SHA-256(round)), on G2 with the key
# on G1 for the default network (pedersen-bls-chained, message SHA-256(previous signature
# ‖ round)).  The key belongs to the announced chain because the chain hash is SHA-256 of
# the chain info that contains it.  What follows, down to verify_g2_signature, is
# BLS12-381 in pure Python: a copy of spotcheck/core/draw/bls12_381.py without its type
# annotations, checked by the same RFC 9380 vectors and real drand beacons.

DRAND_KEY_BYTES = {"bls-unchained-g1-rfc9380": 96, "pedersen-bls-chained": 48}
DRAND_CHAIN_MEMBERS = ["beacon_id", "genesis_time", "group_hash", "period", "public_key", "scheme"]
HEX_BYTES = re.compile(r"([0-9a-f]{2})+\Z")


def parse_drand(data):
    """Read reveals.json public_value.drand: the chain info and the previous signature."""
    need(data, ["chain", "previous_signature"], "public_value.drand")
    chain = need(data["chain"], DRAND_CHAIN_MEMBERS, "public_value.drand.chain")
    integer(chain["period"], "drand period", 1)
    integer(chain["genesis_time"], "drand genesis_time", 1)
    for name in ("group_hash", "public_key"):
        if not isinstance(chain[name], str) or not HEX_BYTES.match(chain[name]):
            raise Malformed(f"drand {name} 应为十六进制 / must be hex")
    if not isinstance(chain["beacon_id"], str):
        raise Malformed("drand beacon_id 应为文本 / must be text")
    if chain["scheme"] not in DRAND_KEY_BYTES:
        raise Malformed(
            "不支持的drand签名方案 / unsupported drand scheme: {!r}".format(chain["scheme"])
        )
    key = bytes.fromhex(chain["public_key"])
    if len(key) != DRAND_KEY_BYTES[chain["scheme"]]:
        raise Malformed("drand公钥长度与签名方案不符 / key length does not fit the scheme")
    previous = data["previous_signature"]
    if not isinstance(previous, str) or (previous and not HEX_BYTES.match(previous)):
        raise Malformed("previous_signature 应为十六进制 / must be hex")
    return {
        "beacon_id": chain["beacon_id"],
        "genesis_time": chain["genesis_time"],
        "group_hash": bytes.fromhex(chain["group_hash"]),
        "period": chain["period"],
        "previous_signature": bytes.fromhex(previous),
        "public_key": key,
        "scheme": chain["scheme"],
    }


def note_round_time(beacon, round_number, announced_at):
    """Say when the round came out against the announcement: a round published before
    the announcement was already known, so it added no unpredictability (§6.3)."""
    published = beacon["genesis_time"] + (round_number - 1) * beacon["period"]
    try:
        announced = datetime.datetime.fromisoformat(announced_at).timestamp()
    except ValueError:
        raise Malformed("announced_at 应为ISO 8601时间 / must be an ISO 8601 time") from None
    at = datetime.datetime.fromtimestamp(published, tz=datetime.timezone.utc).isoformat()  # noqa: UP017 - Python 3.8
    if published > announced:
        print(f"drand 第{round_number}轮产生于公告之后 / published after the announcement: {at}")
    else:
        print(
            f"注意：drand 第{round_number}轮产生于公告之前（{at}），公告时已是公开数值 / "
            "WARNING: the round was published BEFORE the announcement, so it was already "
            "known and added no unpredictability"
        )


def drand_chain_hash(beacon):
    """drand's chain hash: SHA-256(u32 period ‖ i64 genesis ‖ key ‖ group hash [‖ beacon id])."""
    data = (
        beacon["period"].to_bytes(4, "big")
        + beacon["genesis_time"].to_bytes(8, "big", signed=True)
        + beacon["public_key"]
        + beacon["group_hash"]
    )
    if beacon["beacon_id"] not in ("", "default"):  # drand hashes no id for its default network
        data += beacon["beacon_id"].encode("utf-8")
    return sha(data)


def drand_message(scheme, round_number, previous_signature):
    if scheme == "pedersen-bls-chained":
        return sha(previous_signature + round_number.to_bytes(8, "big"))
    return sha(round_number.to_bytes(8, "big"))


def verify_drand(source, beacon, signature, value):
    """Check a drand round against the announced chain: Difference or Malformed if not."""
    if drand_chain_hash(beacon).hex() != source["chain_hash"]:
        raise Difference(
            "drand链信息与公告的链哈希不符 / chain info does not hash to the announced chain"
        )
    if sha(signature) != value:
        raise Difference("drand 随机值不是签名的SHA-256 / randomness != SHA-256(signature)")
    chained = beacon["scheme"] == "pedersen-bls-chained"
    if chained != bool(beacon["previous_signature"]):
        raise Malformed(
            "前一轮签名只用于且必须用于链式drand / "
            "previous_signature is for the chained scheme only"
        )
    message = drand_message(beacon["scheme"], source["round"], beacon["previous_signature"])
    check = verify_g2_signature if chained else verify_g1_signature
    dst = DST_G2 if chained else DST_G1
    try:
        valid = check(beacon["public_key"], message, signature, dst)
    except PointError as exc:
        raise Malformed(
            f"drand公钥或签名不是有效的曲线点 / not a valid curve point: {exc}"
        ) from None
    if not valid:
        raise Difference(
            "drand签名验证失败：不是该链第{0}轮的签名 / BLS signature does not verify for "
            "round {0} of the announced chain".format(source["round"])
        )


P = int(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    16,
)
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
X_ABS = 0xD201000000010000  # the curve parameter is x = -X_ABS
DST_G1 = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
DST_G2 = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"


class PointError(ValueError):
    """Bytes that are not a valid point of the expected group."""


# ---------------------------------------------------------------- Fp


def _fp_sqrt(a):
    root = pow(a, (P + 1) // 4, P)  # p ≡ 3 (mod 4)
    return root if root * root % P == a % P else None


def _fp_sgn0(a):
    return a % 2


# ---------------------------------------------------------------- Fp2 = Fp[u]/(u² + 1)

F2_ZERO = (0, 0)
F2_ONE = (1, 0)


def f2_add(a, b):
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def f2_sub(a, b):
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def f2_neg(a):
    return (-a[0] % P, -a[1] % P)


def f2_mul(a, b):
    a0, a1 = a
    b0, b1 = b
    t0 = a0 * b0
    t1 = a1 * b1
    return ((t0 - t1) % P, ((a0 + a1) * (b0 + b1) - t0 - t1) % P)


def f2_sqr(a):
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)


def f2_scale(a, k):
    return (a[0] * k % P, a[1] * k % P)


def f2_mul_xi(a):
    """Multiply by ξ = 1 + u."""
    return ((a[0] - a[1]) % P, (a[0] + a[1]) % P)


def f2_inv(a):
    norm = (a[0] * a[0] + a[1] * a[1]) % P
    if norm == 0:
        raise ZeroDivisionError("inverse of zero in Fp2")
    inv = pow(norm, P - 2, P)
    return (a[0] * inv % P, -a[1] * inv % P)


def _f2_sqrt(a):
    """A square root in Fp2, or None: the complex method, checked at the end."""
    a0, a1 = a[0] % P, a[1] % P
    if a1 == 0:
        root = _fp_sqrt(a0)
        if root is not None:
            return (root, 0)
        root = _fp_sqrt(-a0 % P)  # a0 = -(root²) = (root·u)²
        return None if root is None else (0, root)
    norm_root = _fp_sqrt((a0 * a0 + a1 * a1) % P)
    if norm_root is None:
        return None
    half = (P + 1) // 2
    for sign in (1, -1):
        x0 = _fp_sqrt((a0 + sign * norm_root) * half % P)
        if x0:
            candidate = (x0, a1 * pow(2 * x0, P - 2, P) % P)
            if f2_sqr(candidate) == (a0, a1):
                return candidate
    return None


def _f2_sgn0(a):
    """RFC 9380 §4.1 sgn0 for m = 2."""
    return (a[0] % 2) | ((a[0] == 0) & (a[1] % 2))


# ---------------------------------------------------------------- Fp6 = Fp2[v]/(v³ − ξ)

F6_ZERO = (F2_ZERO, F2_ZERO, F2_ZERO)
F6_ONE = (F2_ONE, F2_ZERO, F2_ZERO)


def f6_add(a, b):
    return (f2_add(a[0], b[0]), f2_add(a[1], b[1]), f2_add(a[2], b[2]))


def f6_sub(a, b):
    return (f2_sub(a[0], b[0]), f2_sub(a[1], b[1]), f2_sub(a[2], b[2]))


def f6_neg(a):
    return (f2_neg(a[0]), f2_neg(a[1]), f2_neg(a[2]))


def f6_mul(a, b):
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0 = f2_mul(a0, b0)
    t1 = f2_mul(a1, b1)
    t2 = f2_mul(a2, b2)
    c0 = f2_add(t0, f2_mul_xi(f2_sub(f2_mul(f2_add(a1, a2), f2_add(b1, b2)), f2_add(t1, t2))))
    c1 = f2_add(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), f2_add(t0, t1)), f2_mul_xi(t2))
    c2 = f2_add(f2_sub(f2_mul(f2_add(a0, a2), f2_add(b0, b2)), f2_add(t0, t2)), t1)
    return (c0, c1, c2)


def f6_mul_v(a):
    """Multiply by v (v³ = ξ)."""
    return (f2_mul_xi(a[2]), a[0], a[1])


def f6_inv(a):
    a0, a1, a2 = a
    c0 = f2_sub(f2_sqr(a0), f2_mul_xi(f2_mul(a1, a2)))
    c1 = f2_sub(f2_mul_xi(f2_sqr(a2)), f2_mul(a0, a1))
    c2 = f2_sub(f2_sqr(a1), f2_mul(a0, a2))
    norm = f2_add(f2_mul(a0, c0), f2_mul_xi(f2_add(f2_mul(a2, c1), f2_mul(a1, c2))))
    inv = f2_inv(norm)
    return (f2_mul(c0, inv), f2_mul(c1, inv), f2_mul(c2, inv))


# ---------------------------------------------------------------- Fp12 = Fp6[w]/(w² − v)

F12_ONE = (F6_ONE, F6_ZERO)


def f12_mul(a, b):
    a0, a1 = a
    b0, b1 = b
    t0 = f6_mul(a0, b0)
    t1 = f6_mul(a1, b1)
    c1 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(b0, b1)), f6_add(t0, t1))
    return (f6_add(t0, f6_mul_v(t1)), c1)


def f12_sqr(a):
    a0, a1 = a
    t = f6_mul(a0, a1)
    c0 = f6_sub(f6_mul(f6_add(a0, a1), f6_add(a0, f6_mul_v(a1))), f6_add(t, f6_mul_v(t)))
    return (c0, f6_add(t, t))


def f12_conj(a):
    """a^(p⁶): w ↦ −w."""
    return (a[0], f6_neg(a[1]))


def f12_inv(a):
    a0, a1 = a
    inv = f6_inv(f6_sub(f6_mul(a0, a0), f6_mul_v(f6_mul(a1, a1))))
    return (f6_mul(a0, inv), f6_neg(f6_mul(a1, inv)))


def f12_pow(a, e):
    result = F12_ONE
    for bit in bin(e)[2:]:
        result = f12_sqr(result)
        if bit == "1":
            result = f12_mul(result, a)
    return result


# ---------------------------------------------------------------- fields as values, for curves


class _Field:
    """The operations a curve needs from its base field (Fp for G1, Fp2 for G2)."""

    def __init__(
        self,
        *,
        zero,
        one,
        add,
        sub,
        mul,
        sqr,
        neg,
        inv,
        sqrt,
        sgn0,
        scale,
    ):
        self.zero, self.one = zero, one
        self.add, self.sub, self.mul, self.sqr, self.neg = add, sub, mul, sqr, neg
        self.inv, self.sqrt, self.sgn0, self.scale = inv, sqrt, sgn0, scale


def _fp_inv(a):
    if a % P == 0:
        raise ZeroDivisionError("inverse of zero in Fp")
    return pow(a, P - 2, P)


FP = _Field(
    zero=0,
    one=1,
    add=lambda a, b: (a + b) % P,
    sub=lambda a, b: (a - b) % P,
    mul=lambda a, b: a * b % P,
    sqr=lambda a: a * a % P,
    neg=lambda a: -a % P,
    inv=_fp_inv,
    sqrt=_fp_sqrt,
    sgn0=_fp_sgn0,
    scale=lambda a, k: a * k % P,
)
FP2 = _Field(
    zero=F2_ZERO,
    one=F2_ONE,
    add=f2_add,
    sub=f2_sub,
    mul=f2_mul,
    sqr=f2_sqr,
    neg=f2_neg,
    inv=f2_inv,
    sqrt=_f2_sqrt,
    sgn0=_f2_sgn0,
    scale=f2_scale,
)

# ---------------------------------------------------------------- curves in Jacobian coordinates


class _Curve:
    """y² = x³ + b over a field; points are Jacobian (X, Y, Z), Z = 0 for infinity."""

    def __init__(self, field, b):
        self.f = field
        self.b = b
        self.infinity = (field.one, field.one, field.zero)

    def on_curve(self, x, y):
        f = self.f
        return f.sqr(y) == f.add(f.mul(f.sqr(x), x), self.b)

    def from_affine(self, x, y):
        return (x, y, self.f.one)

    def to_affine(self, pt):
        f = self.f
        x, y, z = pt
        if z == f.zero:
            return None
        zi = f.inv(z)
        zi2 = f.sqr(zi)
        return (f.mul(x, zi2), f.mul(y, f.mul(zi2, zi)))

    def neg(self, pt):
        return (pt[0], self.f.neg(pt[1]), pt[2])

    def double(self, pt):
        f = self.f
        x, y, z = pt
        if z == f.zero or y == f.zero:
            return self.infinity
        a = f.sqr(x)
        b = f.sqr(y)
        c = f.sqr(b)
        d = f.scale(f.sub(f.sqr(f.add(x, b)), f.add(a, c)), 2)
        e = f.scale(a, 3)
        x3 = f.sub(f.sqr(e), f.scale(d, 2))
        y3 = f.sub(f.mul(e, f.sub(d, x3)), f.scale(c, 8))
        return (x3, y3, f.scale(f.mul(y, z), 2))

    def add(self, p1, p2):
        f = self.f
        x1, y1, z1 = p1
        x2, y2, z2 = p2
        if z1 == f.zero:
            return p2
        if z2 == f.zero:
            return p1
        z1z1 = f.sqr(z1)
        z2z2 = f.sqr(z2)
        u1 = f.mul(x1, z2z2)
        u2 = f.mul(x2, z1z1)
        s1 = f.mul(y1, f.mul(z2, z2z2))
        s2 = f.mul(y2, f.mul(z1, z1z1))
        h = f.sub(u2, u1)
        r = f.scale(f.sub(s2, s1), 2)
        if h == f.zero:
            return self.double(p1) if r == f.zero else self.infinity
        i = f.sqr(f.scale(h, 2))
        j = f.mul(h, i)
        v = f.mul(u1, i)
        x3 = f.sub(f.sub(f.sqr(r), j), f.scale(v, 2))
        y3 = f.sub(f.mul(r, f.sub(v, x3)), f.scale(f.mul(s1, j), 2))
        z3 = f.mul(f.sub(f.sqr(f.add(z1, z2)), f.add(z1z1, z2z2)), h)
        return (x3, y3, z3)

    def mul(self, pt, k):
        result = self.infinity
        for bit in bin(k)[2:]:
            result = self.double(result)
            if bit == "1":
                result = self.add(result, pt)
        return result

    def is_infinity(self, pt):
        return pt[2] == self.f.zero


XI = (1, 1)
G1_CURVE = _Curve(FP, 4)
G2_CURVE = _Curve(FP2, f2_scale(XI, 4))

G1_GENERATOR = (
    0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
    0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
)
G2_GENERATOR = (
    (
        0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
        0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E,
    ),
    (
        0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
        0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE,
    ),
)

# ---------------------------------------------------------------- compressed encodings


def _split_flags(data, size):
    """Return (infinity, sign, x bytes without flags); refuse uncompressed forms."""
    if len(data) != size:
        raise PointError(f"应为{size}字节，实为{len(data)}字节 / expected {size} bytes")
    flags = data[0]
    if not flags & 0x80:
        raise PointError("未压缩的点编码 / not a compressed point")
    infinity, sign = bool(flags & 0x40), bool(flags & 0x20)
    body = bytes([flags & 0x1F]) + data[1:]
    if infinity and (sign or any(body)):
        raise PointError("无穷远点编码不规范 / bad encoding of the point at infinity")
    return infinity, sign, body


def _fp_from(data):
    value = int.from_bytes(data, "big")
    if value >= P:
        raise PointError("坐标不小于p / coordinate not below the field modulus")
    return value


def _lexicographically_largest(y):
    return y > (P - 1) // 2


def g1_decompress(data):
    """Decode a 48-byte compressed G1 point; refuse infinity, off-curve and off-subgroup."""
    infinity, sign, body = _split_flags(data, 48)
    if infinity:
        raise PointError("G1点为无穷远点 / point at infinity")
    x = _fp_from(body)
    y = _fp_sqrt((x * x * x + 4) % P)
    if y is None:
        raise PointError("G1点不在曲线上 / point not on the curve")
    if _lexicographically_largest(y) != sign:
        y = P - y
    if not G1_CURVE.is_infinity(G1_CURVE.mul(G1_CURVE.from_affine(x, y), R)):
        raise PointError("G1点不在素数阶子群中 / point not in the prime-order subgroup")
    return (x, y)


def g2_decompress(data):
    """Decode a 96-byte compressed G2 point (x = x1·u + x0, x1 first)."""
    infinity, sign, body = _split_flags(data, 96)
    if infinity:
        raise PointError("G2点为无穷远点 / point at infinity")
    x = (_fp_from(body[48:]), _fp_from(body[:48]))
    y = _f2_sqrt(f2_add(f2_mul(f2_sqr(x), x), G2_CURVE.b))
    if y is None:
        raise PointError("G2点不在曲线上 / point not on the curve")
    largest = _lexicographically_largest(y[1]) if y[1] else _lexicographically_largest(y[0])
    if largest != sign:
        y = f2_neg(y)
    if not G2_CURVE.is_infinity(G2_CURVE.mul(G2_CURVE.from_affine(x, y), R)):
        raise PointError("G2点不在素数阶子群中 / point not in the prime-order subgroup")
    return (x, y)


def g1_compress(pt):
    x, y = pt
    data = bytearray(x.to_bytes(48, "big"))
    data[0] |= 0x80 | (0x20 if _lexicographically_largest(y) else 0)
    return bytes(data)


def g2_compress(pt):
    (x0, x1), (y0, y1) = pt
    largest = _lexicographically_largest(y1) if y1 else _lexicographically_largest(y0)
    data = bytearray(x1.to_bytes(48, "big") + x0.to_bytes(48, "big"))
    data[0] |= 0x80 | (0x20 if largest else 0)
    return bytes(data)


# ---------------------------------------------------------------- hash_to_curve (RFC 9380)


def expand_message_xmd(msg, dst, length):
    """RFC 9380 §5.3.1 with SHA-256 (b_in_bytes 32, s_in_bytes 64)."""
    ell = -(-length // 32)
    if ell > 255 or length > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: length or DST too long")
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(bytes(64) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    blocks = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1]))  # noqa: B905 - Python 3.8
        blocks.append(hashlib.sha256(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_field_fp(msg, dst, count):
    """RFC 9380 §5.2 for Fp (m = 1, L = 64)."""
    data = expand_message_xmd(msg, dst, 64 * count)
    return [int.from_bytes(data[64 * i : 64 * (i + 1)], "big") % P for i in range(count)]


def hash_to_field_fp2(msg, dst, count):
    """RFC 9380 §5.2 for Fp2 (m = 2, L = 64)."""
    data = expand_message_xmd(msg, dst, 128 * count)
    out = []
    for i in range(count):
        e0 = int.from_bytes(data[128 * i : 128 * i + 64], "big") % P
        e1 = int.from_bytes(data[128 * i + 64 : 128 * (i + 1)], "big") % P
        out.append((e0, e1))
    return out


def _sswu(field, a, b, z, u):
    """Simplified SWU (RFC 9380 §6.6.2) onto y² = x³ + a·x + b, written plainly."""
    f = field
    u2 = f.sqr(u)
    zu2 = f.mul(z, u2)
    denom = f.add(f.sqr(zu2), zu2)
    if denom == f.zero:
        x1 = f.mul(b, f.inv(f.mul(z, a)))
    else:
        x1 = f.mul(f.mul(f.neg(b), f.inv(a)), f.add(f.one, f.inv(denom)))

    def g(x):
        return f.add(f.mul(f.add(f.sqr(x), a), x), b)

    y = f.sqrt(g(x1))
    x = x1
    if y is None:
        x = f.mul(zu2, x1)
        y = f.sqrt(g(x))
        if y is None:  # impossible: g(x1)·g(x2) has a square root by construction
            raise ArithmeticError("SSWU found no square root")
    if f.sgn0(u) != f.sgn0(y):
        y = f.neg(y)
    return x, y


def _poly(field, coefficients, x):
    """Σ k_i·x^i for coefficients k_0 … k_n (Horner)."""
    acc = field.zero
    for k in reversed(coefficients):
        acc = field.add(field.mul(acc, x), k)
    return acc


def _iso_map(field, maps, x, y):
    """Apply an isogeny given as (x_num, x_den, y_num, y_den); None at a pole."""
    f = field
    x_num, x_den, y_num, y_den = (_poly(f, m, x) for m in maps)
    if x_den == f.zero or y_den == f.zero:
        return None
    return (f.mul(x_num, f.inv(x_den)), f.mul(y, f.mul(y_num, f.inv(y_den))), f.one)


# RFC 9380 §8.8.1 and appendix E.2: the 11-isogeny onto E for G1.
_G1_A = int(
    "00144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d",
    16,
)
_G1_B = int(
    "12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0",
    16,
)
_G1_Z = 11
_G1_ISO = [
    [int(k, 16) for k in ks.split()]
    for ks in (
        # x_num: k_(1,0) … k_(1,11)
        """
        11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649b7
        17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83bb
        0d54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb0
        1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b6861
        0e99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d9
        1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f652983
        0d6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed84
        17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c88e
        080d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e317
        169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c9e
        10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb7b
        06e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d229
        """,
        # x_den: k_(2,0) … k_(2,9), then the leading 1
        """
        08ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1c
        12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3bff
        0b2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e19
        03425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd8
        13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a21e
        0e7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a5
        0772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3a
        14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a5e
        0a10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d641
        095fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0a
        1
        """,
        # y_num: k_(3,0) … k_(3,15)
        """
        090d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb33
        134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c696
        00cc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f6
        01f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4cb
        08cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fedb
        16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5f0
        04ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f2
        0987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb29
        09fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba587
        0e1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c30
        19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c132
        18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d8e
        0b182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef8
        0245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db980133
        05c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224b
        15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b604
        """,
        # y_den: k_(4,0) … k_(4,14), then the leading 1
        """
        16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663c1
        1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a03d
        058df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f2
        16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f5416
        0be0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001d
        08d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7ac
        166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a775c
        16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812ed9
        1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d4a
        167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f55
        04d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa8
        0accbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e2561092
        0ad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345cc
        02660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f7
        0e0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8f
        1
        """,
    )
]
_G1_H_EFF = 0xD201000000010001  # 1 − x

# RFC 9380 §8.8.2 and appendix E.3: the 3-isogeny onto E' for G2.
_G2_A = (0, 240)
_G2_B = (1012, 1012)
_G2_Z = (P - 2, P - 1)  # −(2 + u)


def _fp2_hex(pair):
    c0, c1 = pair.split(",")
    return (int(c0, 16), int(c1, 16))


_G2_ISO = [
    [_fp2_hex(pair) for pair in ks.split()]
    for ks in (
        # x_num: k_(1,0) … k_(1,3), each "c0,c1" for c0 + c1·u
        """
        05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6,05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6
        0,11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71a
        11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71e,08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38d
        171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38d0f671c7188e2aaaaaaaa5ed1,0
        """,
        # x_den: k_(2,0), k_(2,1), then the leading 1
        """
        0,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa63
        0c,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa9f
        1,0
        """,
        # y_num: k_(3,0) … k_(3,3)
        """
        1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706,1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706
        0,05c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97be
        11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71c,08ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38f
        124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097a56dc4bd9e1b371c71c718b10,0
        """,
        # y_den: k_(4,0) … k_(4,2), then the leading 1
        """
        1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb
        0,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa9d3
        12,1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa99
        1,0
        """,
    )
]
_G2_H_EFF = int(
    "bc69f08f2ee75b3584c6a0ea91b352888e2a8e9145ad7689986ff031508ffe1329c2f178731db956"
    "d82bf015d1212b02ec0ec69d7477c1ae954cbc06689f6a359894c0adebbf6b4e8020005aaa95551",
    16,
)


def map_to_g1(u):
    """map_to_curve for G1 (before cofactor clearing), in Jacobian coordinates."""
    x, y = _sswu(FP, _G1_A, _G1_B, _G1_Z, u)
    mapped = _iso_map(FP, _G1_ISO, x, y)
    return G1_CURVE.infinity if mapped is None else mapped


def map_to_g2(u):
    """map_to_curve for G2 (before cofactor clearing), in Jacobian coordinates."""
    x, y = _sswu(FP2, _G2_A, _G2_B, _G2_Z, u)
    mapped = _iso_map(FP2, _G2_ISO, x, y)
    return G2_CURVE.infinity if mapped is None else mapped


def hash_to_g1(msg, dst):
    """hash_to_curve with suite BLS12381G1_XMD:SHA-256_SSWU_RO_ and the given DST."""
    u0, u1 = hash_to_field_fp(msg, dst, 2)
    point = G1_CURVE.add(map_to_g1(u0), map_to_g1(u1))
    affine = G1_CURVE.to_affine(G1_CURVE.mul(point, _G1_H_EFF))
    if affine is None:  # probability ~2^-255
        raise ArithmeticError("hash_to_curve gave the point at infinity")
    return affine


def hash_to_g2(msg, dst):
    """hash_to_curve with suite BLS12381G2_XMD:SHA-256_SSWU_RO_ and the given DST."""
    u0, u1 = hash_to_field_fp2(msg, dst, 2)
    point = G2_CURVE.add(map_to_g2(u0), map_to_g2(u1))
    affine = G2_CURVE.to_affine(G2_CURVE.mul(point, _G2_H_EFF))
    if affine is None:
        raise ArithmeticError("hash_to_curve gave the point at infinity")
    return affine


# ---------------------------------------------------------------- the optimal ate pairing


def _line(slope, tx, ty, p):
    """The line through T with this slope, at P, times w³ (a factor the final
    exponentiation removes).  E' → E maps (x, y) to (x/w², y/w³), so the line
    y − y_T − λ(x − x_T) becomes (λ·x_T − y_T) − λ·x_P·w² + y_P·w³."""
    px, py = p
    c0 = f2_sub(f2_mul(slope, tx), ty)
    c1 = f2_neg(f2_scale(slope, px))
    return ((c0, c1, F2_ZERO), (F2_ZERO, (py, 0), F2_ZERO))


def _miller_loop(pairs):
    """∏ f_{|x|,Q}(P) over the pairs, conjugated because x < 0."""
    f = F12_ONE
    points = [q for _, q in pairs]
    for bit in bin(X_ABS)[3:]:
        f = f12_sqr(f)
        for i, (p, q) in enumerate(pairs):
            tx, ty = points[i]
            slope = f2_mul(f2_scale(f2_sqr(tx), 3), f2_inv(f2_scale(ty, 2)))
            f = f12_mul(f, _line(slope, tx, ty, p))
            nx = f2_sub(f2_sqr(slope), f2_scale(tx, 2))
            points[i] = (nx, f2_sub(f2_mul(slope, f2_sub(tx, nx)), ty))
            if bit == "1":
                tx, ty = points[i]
                qx, qy = q
                slope = f2_mul(f2_sub(qy, ty), f2_inv(f2_sub(qx, tx)))
                f = f12_mul(f, _line(slope, tx, ty, p))
                nx = f2_sub(f2_sub(f2_sqr(slope), tx), qx)
                points[i] = (nx, f2_sub(f2_mul(slope, f2_sub(tx, nx)), ty))
    return f12_conj(f)


_FINAL_EXPONENT = (P**6 + 1) // R  # after the easy factor p⁶ − 1


def final_exponentiation(f):
    """f^((p¹² − 1)/r) = (f^(p⁶ − 1))^((p⁶ + 1)/r)."""
    return f12_pow(f12_mul(f12_conj(f), f12_inv(f)), _FINAL_EXPONENT)


def pairing(p, q):
    """The optimal ate pairing e(P, Q)."""
    return final_exponentiation(_miller_loop([(p, q)]))


def pairing_product_is_one(pairs):
    """∏ e(P_i, Q_i) = 1, with one shared Miller loop and one final exponentiation."""
    return final_exponentiation(_miller_loop(pairs)) == F12_ONE


def _decode(decompress, data, what):
    try:
        return decompress(data)
    except PointError as exc:
        raise PointError(f"{what}: {exc}") from None


def _g1_neg(p):
    return (p[0], -p[1] % P)


def verify_g1_signature(public_key, message, signature, dst):
    """BLS with signatures on G1 and keys on G2: e(σ, g2) = e(H(m), pk).

    Raises PointError when a key or signature is not a valid point of its group."""
    pk = _decode(g2_decompress, public_key, "公钥 public key")
    sigma = _decode(g1_decompress, signature, "签名 signature")
    return pairing_product_is_one([(_g1_neg(sigma), G2_GENERATOR), (hash_to_g1(message, dst), pk)])


def verify_g2_signature(public_key, message, signature, dst):
    """BLS with signatures on G2 and keys on G1: e(g1, σ) = e(pk, H(m))."""
    pk = _decode(g1_decompress, public_key, "公钥 public key")
    sigma = _decode(g2_decompress, signature, "签名 signature")
    return pairing_product_is_one([(_g1_neg(G1_GENERATOR), sigma), (pk, hash_to_g2(message, dst))])


# ---------------------------------------------------------------- seed (§6)

LOTTERY = re.compile(r"((0|[1-9][0-9]*)\.)+/(((0|[1-9][0-9]*)\.)+/)*\Z")


def lottery_ok(value):
    """RFC 3797 key string: numbers without leading zeros, each group non-decreasing."""
    if not LOTTERY.match(value):
        return False
    for group in value.split("/")[:-1]:
        numbers = [int(n) for n in group.split(".")[:-1]]
        if numbers != sorted(numbers):
            return False
    return True


def derive_seed(a, ann_bytes, reveals):
    ann = a["raw"]
    need(
        reveals,
        ["announcement_sha256", "public_value", "reveals", "task_id", "version"],
        "reveals.json",
    )
    if reveals["version"] != VERSION:
        raise Malformed("reveals.json 版本不符 / version")
    announcement_hash = sha(ann_bytes)
    if reveals["announcement_sha256"] != announcement_hash.hex():
        raise Difference("reveals.json 指向另一份公告 / reveals refer to another announcement")
    if reveals["task_id"] != ann["task_id"]:
        raise Difference("reveals.json 的任务编号不符 / task id differs")
    got = {}
    for r in reveals["reveals"]:
        need(r, ["official_id", "secret"], "reveal")
        if not isinstance(r["secret"], str) or not HEX64.match(r["secret"]):
            raise Malformed("secret 应为64位十六进制 / secret must be 32 bytes hex")
        got[r["official_id"]] = bytes.fromhex(r["secret"])
    order = [r["official_id"] for r in reveals["reveals"]]
    if order != sorted(set(order)):
        raise Malformed("reveals 未按官员排序 / not sorted")
    if set(got) != {c["official_id"] for c in ann["commitments"]}:
        raise Difference("并非全部承诺官员都公布了秘密值 / not every official revealed")
    message = b"DRAW-v1/seed\x00" + announcement_hash + len(order).to_bytes(4, "big")
    for c in ann["commitments"]:
        official = c["official_id"].encode("utf-8")
        secret = got[c["official_id"]]
        if sha(secret + official).hex() != c["commitment"]:
            raise Difference(
                "{} 的秘密值与承诺不符 / reveal does not open the commitment".format(
                    c["official_id"]
                )
            )
        message += len(official).to_bytes(4, "big") + official + secret
    pv = reveals["public_value"]
    members = ["note", "signature", "used", "value"]
    need(
        pv, members + (["drand"] if isinstance(pv, dict) and "drand" in pv else []), "public_value"
    )
    if not all(isinstance(pv[k], str) for k in members):
        raise Malformed("public_value 字段应为文本")
    declared = ann["public_value"]
    used = pv["used"]
    if used == "none":
        if declared is not None:
            raise Difference("公告声明了公共随机源却未使用 / announced public value not used")
        if pv["value"] or pv["signature"] or "drand" in pv:
            raise Malformed("未使用公共随机源却给出了值 / value without a source")
        value, tag = b"", 0
    elif used in ("primary", "fallback"):
        source = declared[used] if declared is not None else None
        if source is None:
            raise Difference(f"公告未声明该公共随机源 / source {used} not announced")
        tag = 1 if used == "primary" else 2
        if source["kind"] == "drand":
            if not HEX64.match(pv["value"]):
                raise Malformed("drand 随机值应为64位十六进制 / randomness must be 32 bytes")
            value = bytes.fromhex(pv["value"])
            if not re.match(r"([0-9a-f]{2})*\Z", pv["signature"]):
                raise Malformed("signature 应为十六进制")
            signature = bytes.fromhex(pv["signature"])
            if "drand" in pv:
                if not signature:
                    raise Malformed("drand 须给出该轮签名 / the round's signature is missing")
                beacon = parse_drand(pv["drand"])
                verify_drand(source, beacon, signature, value)
                print(
                    "drand 第{}轮签名已用该链公钥验证 / the round's BLS signature verifies "
                    "against the chain's public key".format(source["round"])
                )
                note_round_time(beacon, source["round"], ann["announced_at"])
            else:
                if signature and sha(signature) != value:
                    raise Difference(
                        "drand 随机值不是签名的SHA-256 / randomness != SHA-256(signature)"
                    )
                print(
                    "注意：数据包未附drand链信息，签名未经BLS验证 / WARNING: no drand chain info "
                    "in the bundle, the signature was NOT checked against the chain's public key"
                )
        else:
            if not lottery_ok(pv["value"]) or pv["signature"] or "drand" in pv:
                raise Malformed(
                    "彩票结果应为RFC 3797格式，每组号码从小到大、不写前导零 / lottery value "
                    "must be RFC 3797 text, each group in ascending order, no leading zeros"
                )
            value = pv["value"].encode("utf-8")
    else:
        raise Malformed("public_value.used 应为 none/primary/fallback")
    message += bytes([tag]) + len(value).to_bytes(4, "big") + value
    seed = sha(message)
    keys = {
        part: sha(seed + ("DRAW-v1/{}/{}".format(part, ann["task_id"])).encode("utf-8"))
        for part in ("objects", "inspectors", "matching")
    }
    return seed, keys, used


# ---------------------------------------------------------------- object selection (§7)


def ceil_of(x):
    return -((-x.numerator) // x.denominator)


def allocate(a, counts):
    base = {s: min(n, ceil_of(a["ratios"][s[0]] * n)) for s, n in counts.items()}
    total = sum(counts.values())
    floor_k = min(total, ceil_of(a["floor"] * total))
    return base, floor_k, max(0, floor_k - sum(base.values()))


FRAME_BLOCK = re.compile(rb"(?:(?:[0-9A-Z]{18}|[0-9]{15})\t[ABCDU]\t[^\t\n]*\t[^\t\n]+\n)*\Z")


NEVER = b"\xff" * 33  # above every rank: no cutoff yet


def scan_block(block, key, keyed, bars):
    """Check and hash one block of whole rows; pure, so it may run in a worker process.

    Returns an error message, or: the first and last entity id (for the sort check
    across blocks), the block's subtree root (its leaf hashes if it is the last, partial
    block), the item lists and stratum keys seen, and the rows ranked at or below the
    bar of their stratum (`bars`: stratum label -> rank; a stale bar lets more through).
    """
    # Problems are returned, not raised: an exception may not survive the trip back
    # from a worker process.
    if b"\r" in block or not FRAME_BLOCK.match(block):
        return "frame.tsv 行格式错误 / a row of frame.tsv is malformed"
    rows = block[:-1].split(b"\n")
    sha256 = hashlib.sha256
    leaves = [sha256(b"\x00" + r).digest() for r in rows]
    fields = [r.split(b"\t") for r in rows]
    ids = [f[0] for f in fields]
    # Strictly increasing ids: unique, and (TAB sorting below everything) rows sorted.
    if not all(map(bytes.__lt__, ids, ids[1:])):
        return "frame.tsv 未按标识排序或标识重复 / rows not sorted or an entity repeated"
    if keyed:
        strata = [f[1] + b"\t" + f[2] for f in fields]
    elif {f[2] for f in fields} != {b""}:
        return "未声明分层键却有分层值 / stratum value without a key"
    else:
        strata = [f[1] for f in fields]
    pairs = Counter(strata)
    bar_of = {}  # stratum key -> bar of its stratum; an unannounced stratum passes nothing
    for pair in pairs:
        risk, _, extra = pair.partition(b"\t")
        label = risk.decode() + (":" + extra.decode("utf-8", "replace") if keyed else "")
        bar_of[pair] = bars.get(label, b"")
    ranks = [sha256(key + f[0]).digest() for f in fields]
    passed = [
        (pair, rank, f[0], f[3])
        for rank, f, pair in zip(ranks, fields, strata)  # noqa: B905 - Python 3.8
        if rank <= bar_of[pair]
    ]
    tree_part = perfect_root(leaves) if len(rows) == ROWS_PER_BLOCK else leaves
    return ids[0], ids[-1], tree_part, {f[3] for f in fields}, pairs, passed


def probe():
    return True


def scanned_blocks(path, key, keyed, current_bar, jobs):
    """Yield scan_block results in file order, using up to `jobs` worker processes."""
    if jobs <= 1:
        for block in frame_blocks(path):
            yield scan_block(block, key, keyed, current_bar())
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        try:
            pool.submit(probe).result()
        except Exception:  # noqa: BLE001 - no usable worker processes here: work alone
            yield from scanned_blocks(path, key, keyed, current_bar, 1)
            return
        waiting = deque()
        for block in frame_blocks(path):
            waiting.append(pool.submit(scan_block, block, key, keyed, current_bar()))
            if len(waiting) >= 2 * jobs:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


ROWS_PER_BLOCK = 1 << 18  # a power of two, so that every full block is a perfect subtree


def frame_blocks(path):
    """Yield frame.tsv in blocks of ROWS_PER_BLOCK whole rows (the last may be shorter)."""
    with open(path, "rb") as fh:
        while True:
            lines = list(itertools.islice(fh, ROWS_PER_BLOCK))
            if not lines:
                return
            if not lines[-1].endswith(b"\n"):
                raise Malformed("frame.tsv 须以LF结尾 / the last row must end with LF")
            yield b"".join(lines)


def scan_frame(path, a, key, jobs=1, estimate=True):
    """One pass over frame.tsv: validate, hash into the tree, keep each stratum's best ranks.

    Ranks are uniform, so a stratum's `room` smallest ranks almost surely lie below the
    rank bar that `room` plus eight standard deviations of rows would reach; only rows
    under that bar are kept.  Should a stratum end with fewer than `room` rows kept
    (odds far below 1e-9), the frame is scanned again without estimated bars.
    """
    base, _, short = allocate(a, a["strata"])
    keep, bars = {}, {}
    for s, n in a["strata"].items():
        reach = base[s] + short
        keep[s] = room = min(n, reach + ceil_of(a["reserve"] * reach))
        expected = room + 8 * math.isqrt(room) + 64
        if room == 0:
            bars[s] = b""
        elif not estimate or expected >= n:
            bars[s] = NEVER
        else:
            bars[s] = (expected * 2**256 // n).to_bytes(32, "big")
    best = {s: [] for s in a["strata"]}  # stratum -> list of (rank, id, items)
    cutoff = {}  # stratum -> (rank, id) of its current last kept row
    counts = {}
    tree = Merkle()
    labels = {}  # risk [TAB extra] -> stratum label, validated once per distinct value
    known_items = set()
    previous = b""

    def bar():
        """Rows ranked above their stratum's bar can no longer be drawn."""
        return {s: min(b, cutoff[s][0]) if s in cutoff else b for s, b in bars.items()}

    for result in scanned_blocks(path, key, a["keyed"], bar, jobs):
        if isinstance(result, str):
            raise Malformed(result)
        first, last, tree_part, items_seen, pair_counts, passed = result
        if not previous < first:
            raise Malformed("frame.tsv 未按字节排序或有重复 / rows not sorted or repeated")
        previous = last
        if isinstance(tree_part, bytes):
            tree.add_subtree(ROWS_PER_BLOCK, tree_part)
        else:
            tree.add_leaves(tree_part)
        for items in items_seen - known_items:
            codes = sorted_list(items.decode("utf-8"), "item")
            if not codes or any(c not in a["items"] for c in codes):
                raise Malformed(f"frame.tsv 含未声明的事项 / undeclared item in {items!r}")
            known_items.add(items)
        for pair, n in pair_counts.items():
            if pair not in labels:
                risk, _, extra = pair.partition(b"\t")
                value = text(extra.decode("utf-8"), "stratum value", empty_ok=True)
                labels[pair] = risk.decode() + (":" + value if a["keyed"] else "")
            counts[labels[pair]] = counts.get(labels[pair], 0) + n
        for pair, rank, eid, items in passed:
            label = labels[pair]
            room = keep.get(label, 0)
            if room == 0 or (label in cutoff and not (rank, eid) < cutoff[label]):
                continue
            pile = best[label]
            pile.append((rank, eid, items))
            if len(pile) >= 2 * room + 256:
                pile.sort()
                del pile[room:]
                cutoff[label] = pile[-1][:2]
    for label, pile in best.items():
        pile.sort()
        del pile[keep[label] :]
        if len(pile) < keep[label] and estimate and counts.get(label) == a["strata"][label]:
            return scan_frame(path, a, key, jobs, estimate=False)
    return tree.root(), tree.count, counts, best


def select(a, best):
    base, floor_k, short = allocate(a, a["strata"])
    rest = []
    for s in sorted(best):
        rest.extend((r, e, s) for r, e, _ in best[s][base[s] :])
    rest.sort()
    extra = {s: 0 for s in best}
    for _, _, s in rest[:short]:
        extra[s] += 1
    chosen, reserve = {}, {}
    for s in sorted(best):
        k = base[s] + extra[s]
        spare = min(a["strata"][s] - k, ceil_of(a["reserve"] * k))
        chosen[s] = best[s][:k]
        reserve[s] = best[s][k : k + spare]
    summary = {
        "base_total": sum(base.values()),
        "floor_k": floor_k,
        "population": sum(a["strata"].values()),
        "shortfall": short,
        "strata": [
            {
                "base_k": base[s],
                "extra": extra[s],
                "k": len(chosen[s]),
                "population": a["strata"][s],
                "reserve": len(reserve[s]),
                "stratum": s,
            }
            for s in sorted(best)
        ],
        "total": sum(len(v) for v in chosen.values()),
    }
    return chosen, reserve, summary


def selection_file(chosen, reserve):
    out = []
    for s in sorted(chosen):
        for kind, rows in (("selected", chosen[s]), ("reserve", reserve[s])):
            for n, (rank, eid, _) in enumerate(rows, 1):
                line = f"{s}\t{kind}\t{n}\t{eid.decode()}\t{rank.hex()}\n"
                out.append(line.encode("utf-8"))
    return b"".join(out)


# ---------------------------------------------------------------- inspectors (§8)


def parse_pool(rows, a):
    certificates = [row.split(b"\t", 1)[0] for row in rows]
    if not all(map(bytes.__lt__, certificates, certificates[1:])):
        raise Malformed("pool.tsv 未按执法证号排序或证号重复 / not sorted or repeated")
    pool = []
    depts = a["raw"]["departments"]
    for row in rows:
        try:
            f = row.decode("utf-8").split("\t")
        except UnicodeDecodeError:
            raise Malformed("pool.tsv 不是UTF-8") from None
        if len(f) != 6:
            raise Malformed("pool.tsv 每行6个字段 / six fields per row")
        text(f[0], "certificate_no")
        if f[1] not in depts:
            raise Malformed(f"pool.tsv 含未参与任务的部门 / foreign department {f[1]!r}")
        text(f[2], "status")
        iso_date(f[3], "valid_from")
        iso_date(f[4], "valid_until")
        pool.append(
            {
                "cert": f[0],
                "dept": f[1],
                "status": f[2],
                "from": f[3],
                "until": f[4],
                "quals": set(sorted_list(f[5], "qualification")),
            }
        )
    return pool


def draw_inspectors(pool, a, key):
    day = a["raw"]["draw_date"]
    drawn, summary = {}, []
    for d in a["raw"]["departments"]:
        mine = [p for p in pool if p["dept"] == d]
        ok = [p for p in mine if p["status"] == "on_duty" and p["from"] <= day <= p["until"]]
        ranked = sorted(ok, key=lambda p: (sha(key + p["cert"].encode("utf-8")), p["cert"]))
        ranked = ranked[: a["per_dept"].get(d, len(ranked))]
        for p in ranked:
            p["rank"] = sha(key + p["cert"].encode("utf-8"))
            p["load"] = 0
        drawn[d] = ranked
        summary.append(
            {"department": d, "drawn": len(ranked), "eligible": len(ok), "pool": len(mine)}
        )
    return drawn, summary


# ---------------------------------------------------------------- groups and matching (§9)


def least_loaded_pick(people, allowed, u):
    """Among allowed indexes (already filtered), those of smallest load, (u mod n)-th by rank."""
    low = min(people[i]["load"] for i in allowed)
    pool = sorted(i for i in allowed if people[i]["load"] == low)
    return pool[u % len(pool)]


class Loads:
    """Some drawn inspectors of a department (by index), bucketed by load, buckets sorted."""

    def __init__(self, people, members):
        self.people = people
        members = sorted(members)
        self.by_load = {0: members} if members else {}

    def move(self, i, old, new):
        bucket = self.by_load[old]
        bucket.pop(bisect.bisect_left(bucket, i))
        if not bucket:
            del self.by_load[old]
        bisect.insort(self.by_load.setdefault(new, []), i)

    def pick(self, banned, u):
        """Smallest load among non-banned members, then the (u mod n)-th by rank."""
        for level in sorted(self.by_load):
            bucket = self.by_load[level]
            free = len(bucket)
            gaps = []
            for b in banned:
                at = bisect.bisect_left(bucket, b)
                if at < len(bucket) and bucket[at] == b:
                    gaps.append(at)
                    free -= 1
            if free > 0:
                want = u % free
                for g in sorted(gaps):
                    if g <= want:
                        want += 1
                return bucket[want]
        raise AssertionError("unreachable: feasibility checked")


class Department:
    """Loads of a department: one Loads for everybody, one per qualification's holders."""

    def __init__(self, people):
        self.people = people
        self.everyone = Loads(people, range(len(people)))
        self.holders = {}
        for n, p in enumerate(people):
            for q in p["quals"]:
                self.holders.setdefault(q, []).append(n)
        self.by_qual = {q: Loads(people, members) for q, members in self.holders.items()}

    @property
    def by_load(self):
        return self.everyone.by_load

    def change(self, i, delta):
        old = self.people[i]["load"]
        self.people[i]["load"] = old + delta
        self.everyone.move(i, old, old + delta)
        for q in self.people[i]["quals"]:
            self.by_qual[q].move(i, old, old + delta)

    def pick(self, banned, pending, u):
        if not pending:
            return self.everyone.pick(banned, u)
        if len(pending) == 1:  # every holder covers exactly one: least loaded holder
            return self.by_qual[next(iter(pending))].pick(banned, u)
        allowed = {i for q in pending for i in self.holders.get(q, []) if i not in banned}
        top = max(len(self.people[i]["quals"] & pending) for i in allowed)
        allowed = [i for i in allowed if len(self.people[i]["quals"] & pending) == top]
        return least_loaded_pick(self.people, allowed, u)


def match(a, chosen, drawn, openings, key):
    order = a["raw"]["departments"]
    at = {d: n for n, d in enumerate(order)}
    loads = {d: Department(drawn[d]) for d in order}
    index = {d: {p["cert"]: n for n, p in enumerate(drawn[d])} for d in order}
    entities = [(eid.decode(), items) for s in sorted(chosen) for _, eid, items in chosen[s]]
    entities.sort(key=lambda x: (sha(key + x[0].encode("utf-8")), x[0]))
    groups, infeasible, specialists = [], [], []
    seats_of = {d: {} for d in order}  # d -> inspector index -> list of (position, seat)
    wanted = {}  # item list -> (departments in task order, their qualifications)
    nobody = frozenset()
    for position, (eid, items) in enumerate(entities, 1):
        if items not in wanted:
            wants = {}
            for code in items.decode("utf-8").split(","):
                item = a["items"][code]
                wants.setdefault(item["department"], set())
                if item["qualification"]:
                    wants[item["department"]].add(item["qualification"])
            wanted[items] = (sorted(wants, key=lambda d: at[d]), wants)
        depts, wants = wanted[items]
        req = 2 if len(depts) == 1 else 1
        avoid = openings.get(eid, nobody)
        if avoid:
            barred = {d: {index[d][c] for c in avoid if c in index[d]} for d in depts}
        else:
            barred = {d: nobody for d in depts}
        short = [d for d in depts if len(drawn[d]) - len(barred[d]) < req]
        if short:
            for d in short:
                infeasible.append(
                    {
                        "available": len(drawn[d]) - len(barred[d]),
                        "department": d,
                        "entity_id": eid,
                        "required": req,
                    }
                )
            continue
        cover = {}
        for d in depts:
            cover[d] = set()
            for q in sorted(wants[d]):
                if any(i not in barred[d] for i in loads[d].holders.get(q, [])):
                    cover[d].add(q)
                else:
                    specialists.append({"department": d, "entity_id": eid, "qualification": q})
        seats = []
        s = 0
        prefix = key + eid.encode("utf-8") + b"\t"
        for d in depts:
            people = drawn[d]
            pending = set(cover[d])
            taken = set()
            filled = 0
            while filled < req or pending:
                u = int.from_bytes(sha(prefix + str(s).encode()), "big")
                banned = barred[d] | taken
                i = loads[d].pick(banned, pending, u)
                loads[d].change(i, 1)
                seats_of[d].setdefault(i, []).append((position, s))
                seats.append([s, d, i])
                taken.add(i)
                pending -= people[i]["quals"]
                filled += 1
                s += 1
        groups.append(
            {"position": position, "eid": eid, "seats": seats, "cover": cover, "avoid": avoid}
        )
    balance = [rebalance(d, drawn[d], loads[d], seats_of[d], groups) for d in order]
    return groups, infeasible, specialists, balance


def rebalance(d, people, loads, seats_of, groups):
    by_position = {g["position"]: g for g in groups}
    moves = 0
    while people:
        lo, hi = min(loads.by_load), max(loads.by_load)
        if hi - lo <= 1:
            break
        found = None
        for donor in loads.by_load[hi]:
            for position, seat in sorted(seats_of.get(donor, [])):
                g = by_position[position]
                others = [i for s, dd, i in g["seats"] if dd == d and s != seat]
                wanted = g["cover"][d]
                kept = set()
                for i in others:
                    kept |= people[i]["quals"] & wanted
                had = kept | (people[donor]["quals"] & wanted)
                for receiver in loads.by_load[lo]:
                    if receiver in others or people[receiver]["cert"] in g["avoid"]:
                        continue
                    if had <= kept | (people[receiver]["quals"] & wanted):
                        found = (donor, receiver, position, seat)
                        break
                if found:
                    break
            if found:
                break
        if found is None:
            break
        donor, receiver, position, seat = found
        for entry in by_position[position]["seats"]:
            if entry[0] == seat:
                entry[2] = receiver
        seats_of[donor].remove((position, seat))
        seats_of.setdefault(receiver, []).append((position, seat))
        loads.change(donor, -1)
        loads.change(receiver, 1)
        moves += 1
    lo, hi = (min(loads.by_load), max(loads.by_load)) if people else (0, 0)
    return {"department": d, "max": hi, "min": lo, "moves": moves}


def groups_file(groups, drawn):
    out = []
    for g in groups:
        for s, d, i in g["seats"]:
            p = drawn[d][i]
            covers = ",".join(sorted(g["cover"][d] & p["quals"]))
            role = "leader" if s == 0 else "member"
            fields = [str(g["position"]), g["eid"], str(s), d, p["cert"], role, covers]
            line = "\t".join(fields) + "\n"
            out.append(line.encode("utf-8"))
    return b"".join(out)


def inspectors_file(drawn, order):
    out = []
    for d in order:
        for n, p in enumerate(drawn[d], 1):
            line = f"{d}\t{n}\t{p['cert']}\t{p['rank'].hex()}\t{p['load']}\n"
            out.append(line.encode("utf-8"))
    return b"".join(out)


# ---------------------------------------------------------------- avoidance (§3.3)


def parse_avoidance(leaf_rows, opening_rows, drawn_ids):
    check_sorted(leaf_rows, "avoidance.tsv")
    check_sorted(opening_rows, "avoidance_openings.tsv")
    wanted = set()
    for row in leaf_rows:
        parts = row.split(b"\t")
        if len(parts) != 2 or not ENTITY.match(parts[0].decode("ascii", "replace")):
            raise Malformed("avoidance.tsv 行格式错误 / bad leaf row")
        if not HEX64.match(parts[1].decode("ascii", "replace")):
            raise Malformed("avoidance.tsv 哈希格式错误 / bad leaf hash")
        if parts[0].decode() in drawn_ids:
            wanted.add(row)
    opened, avoid = set(), {}
    for row in opening_rows:
        parts = row.decode("utf-8").split("\t")
        if (
            len(parts) != 3
            or not ENTITY.match(parts[0])
            or not re.match(r"[0-9a-f]{32}\Z", parts[2])
        ):
            raise Malformed("avoidance_openings.tsv 行格式错误 / bad opening row")
        eid, cert, salt = parts[0], text(parts[1], "certificate_no"), bytes.fromhex(parts[2])
        digest = sha(salt + (f"{eid}\t{cert}").encode())
        opened.add((f"{eid}\t{digest.hex()}").encode())
        avoid.setdefault(eid, set()).add(cert)
    if opened != wanted:
        raise Difference(
            "回避关系的公开与承诺不符：须且只须公开抽中及备选对象的全部回避关系 / "
            "openings must open exactly all leaves of selected and reserve entities"
        )
    return avoid


# ---------------------------------------------------------------- replacements (§10.1)


def parse_replacements(data):
    """Parse replacements.tsv: stratum, number, replaced, reason, replacement."""
    rows = []
    if data and not data.endswith(b"\n"):
        raise Malformed("replacements.tsv 末行须以LF结尾 / last row must end with LF")
    for line in data.split(b"\n")[:-1] if data else []:
        try:
            f = line.decode("utf-8").split("\t")
        except UnicodeDecodeError:
            raise Malformed("replacements.tsv 不是UTF-8") from None
        if len(f) != 5:
            raise Malformed("replacements.tsv 每行5个字段 / five fields per row")
        if not re.match(r"[1-9][0-9]*\Z", f[1]) or not ENTITY.match(f[2]):
            raise Malformed("replacements.tsv 行格式错误 / bad row")
        if f[4] and not ENTITY.match(f[4]):
            raise Malformed("replacements.tsv 替补对象格式错误 / bad replacement id")
        text(f[0], "stratum")
        text(f[3], "reason")
        rows.append((f[0], int(f[1]), f[2], f[3], f[4]))
    keys = [(r[0].encode("utf-8"), r[1]) for r in rows]
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        raise Malformed("replacements.tsv 未按分层与序号排序 / not in canonical order")
    return rows


def apply_replacements(a, rows, chosen, reserve):
    """Check each replacement took the next unused reserve of its stratum for a declared
    reason; return the final selection (stratum -> rows), replacements appended in order."""
    final = {s: list(chosen[s]) for s in chosen}
    expected = {}
    for stratum, number, replaced, reason, replacement in rows:
        where = f"replacements.tsv {stratum} #{number}"
        if stratum not in final:
            raise Difference(f"{where}: 分层不存在 / unknown stratum")
        expected[stratum] = expected.get(stratum, 0) + 1
        if number != expected[stratum]:
            raise Difference(f"{where}: 序号应为 {expected[stratum]} / numbers must run 1, 2, 3")
        if reason not in a["reasons"]:
            raise Difference(f"{where}: 理由 {reason!r} 未在公告中声明 / undeclared reason")
        current = final[stratum]
        at = [n for n, row in enumerate(current) if row[1].decode() == replaced]
        if not at:
            raise Difference(f"{where}: {replaced} 不在该分层当前名单中 / not in the list")
        spare = reserve[stratum]
        successor = spare[number - 1] if number <= len(spare) else None
        want = successor[1].decode() if successor else ""
        if replacement != want:
            raise Difference(
                f"{where}: 应由备选第{number}位替补 / must take reserve #{number}: "
                f"expected {want or '(none left)'}, found {replacement or '(none)'}"
            )
        current.pop(at[0])
        if successor:
            current.append(successor)
    return final


def final_json(a, announcement_hash, seed, count, n_rows, matched):
    groups, infeasible, specialists, balance = matched
    return {
        "announcement_sha256": announcement_hash,
        "enterprises": count,
        "matching": {
            "balance": balance,
            "groups": len(groups),
            "infeasible": infeasible,
            "specialist_needed": specialists,
        },
        "replacements": n_rows,
        "seed": seed.hex(),
        "task_id": a["raw"]["task_id"],
        "version": EXTENSION,
    }


# ---------------------------------------------------------------- driver (§11)


def first_difference(name, expected, found):
    a_rows, b_rows = expected.split(b"\n"), found.split(b"\n")
    for n, (x, y) in enumerate(zip(a_rows, b_rows), 1):  # noqa: B905 - Python 3.8
        if x != y:
            want = x.decode("utf-8", "replace")[:300]
            got = y.decode("utf-8", "replace")[:300]
            return (
                f"{name} 第{n}行不同 / line {n} differs:\n"
                f"  应为 expected: {want}\n  实为 found:    {got}"
            )
    return f"{name} 行数不同 / number of lines differs ({len(a_rows)} vs {len(b_rows)})"


def check_manifest(bundle, recompute_only):
    data = (bundle / "manifest.json").read_bytes() if (bundle / "manifest.json").is_file() else None
    if data is None:
        raise Malformed("缺少 manifest.json / manifest.json missing")
    manifest = need(load_json(data, "manifest.json"), ["files", "version"], "manifest.json")
    if manifest["version"] not in (VERSION, EXTENSION):
        raise Malformed("manifest 版本不符 / version")
    names = []
    for entry in manifest["files"]:
        need(entry, ["bytes", "name", "sha256"], "manifest entry")
        names.append(entry["name"])
    inputs = INPUTS + ([REPLACEMENTS] if manifest["version"] == EXTENSION else [])
    outputs = OUTPUTS + (FINAL if FINAL[0] in names else [])
    expected = sorted(inputs + ([] if recompute_only else outputs))
    if names != expected and not (recompute_only and names == sorted(inputs + outputs)):
        raise Malformed(f"manifest 须列出全部文件 / manifest must list exactly {expected}")
    for entry in manifest["files"]:
        path = bundle / entry["name"]
        if not path.is_file():
            raise Malformed("缺少文件 / missing file {}".format(entry["name"]))
        content = path.read_bytes()
        if len(content) != entry["bytes"] or sha(content).hex() != entry["sha256"]:
            raise Difference(
                "{} 与 manifest 中的哈希不符 / hash differs from manifest".format(entry["name"])
            )
    return names


def verify(bundle, out_dir, expect, jobs=1):
    # Millions of small objects stay alive during the run and none forms a cycle, so
    # the cyclic collector would only re-walk them: about a fifth of the run time.
    gc.disable()
    recompute_only = out_dir is not None and not all((bundle / n).is_file() for n in OUTPUTS)
    names = check_manifest(bundle, recompute_only)
    extended = REPLACEMENTS in names
    with_final = extended and (FINAL[0] in names or recompute_only)
    ann_bytes = (bundle / "announcement.json").read_bytes()
    a = parse_announcement(load_json(ann_bytes, "announcement.json"))
    ann = a["raw"]
    announcement_hash = sha(ann_bytes).hex()
    print(f"公告哈希 announcement SHA-256: {announcement_hash}")
    if expect and expect.lower() != announcement_hash:
        raise Difference("公告哈希与公开值不符 / announcement hash differs from the published one")
    reveals = load_json((bundle / "reveals.json").read_bytes(), "reveals.json")
    seed, keys, used = derive_seed(a, ann_bytes, reveals)
    print(f"种子 seed: {seed.hex()} (public value: {used})")

    root, count, counts, best = scan_frame(bundle / "frame.tsv", a, keys["objects"], jobs)
    if root.hex() != ann["frame"]["root"] or count != ann["frame"]["count"]:
        raise Difference("检查对象名录的默克尔根或行数与公告不符 / frame root or count differs")
    if dict(sorted(counts.items())) != dict(sorted(a["strata"].items())):
        raise Difference("分层计数与公告不符 / strata counts differ from the announcement")
    print(f"名录 frame: {count} 行 rows, root ok")

    pool_rows = rows_of((bundle / "pool.tsv").read_bytes(), "pool.tsv")
    pool = parse_pool(pool_rows, a)
    if merkle_of(pool_rows).hex() != ann["pool"]["root"] or len(pool_rows) != ann["pool"]["count"]:
        raise Difference("执法人员名录的默克尔根与公告不符 / pool root differs")
    leaves = rows_of((bundle / "avoidance.tsv").read_bytes(), "avoidance.tsv")
    if (
        merkle_of(leaves).hex() != ann["avoidance"]["root"]
        or len(leaves) != ann["avoidance"]["count"]
    ):
        raise Difference("回避承诺的默克尔根与公告不符 / avoidance root differs")

    chosen, reserve, alloc = select(a, best)
    drawn_ids = {e.decode() for rows in (chosen, reserve) for s in rows for _, e, _ in rows[s]}
    openings = parse_avoidance(
        leaves, rows_of((bundle / "avoidance_openings.tsv").read_bytes(), "openings"), drawn_ids
    )
    drawn, insp_summary = draw_inspectors(pool, a, keys["inspectors"])
    groups, infeasible, specialists, balance = match(a, chosen, drawn, openings, keys["matching"])
    result = {
        "allocation": alloc,
        "announcement_sha256": announcement_hash,
        "inspectors": insp_summary,
        "keys": {k: v.hex() for k, v in sorted(keys.items())},
        "matching": {
            "balance": balance,
            "enterprises": alloc["total"],
            "groups": len(groups),
            "infeasible": infeasible,
            "specialist_needed": specialists,
        },
        "public_value_used": used,
        "seed": seed.hex(),
        "task_id": ann["task_id"],
        "version": VERSION,
    }
    computed = {
        "result.json": canon(result),
        "selection.tsv": selection_file(chosen, reserve),
        "inspectors.tsv": inspectors_file(drawn, ann["departments"]),
        "groups.tsv": groups_file(groups, drawn),
    }
    if extended:
        rows = parse_replacements((bundle / REPLACEMENTS).read_bytes())
        final = apply_replacements(a, rows, chosen, reserve)
        for people in drawn.values():
            for p in people:
                p["load"] = 0
        matched = match(a, final, drawn, openings, keys["matching"])
        count = sum(len(v) for v in final.values())
        print(f"替补 replacements {len(rows)} 条 ok; 最终名单 final list {count}")
        if with_final:
            computed["final.json"] = canon(
                final_json(a, announcement_hash, seed, count, len(rows), matched)
            )
            computed["final_groups.tsv"] = groups_file(matched[0], drawn)
    print(
        f"抽中 selected {alloc['total']}, 检查组 groups {len(groups)}, "
        f"无法满足 infeasible {len(infeasible)}, 需专业人员 specialists {len(specialists)}"
    )
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in computed.items():
            (out_dir / name).write_bytes(data)
        print(f"已写出重算结果 / recomputed files written to {out_dir}")
        if recompute_only:
            return
    for name in OUTPUTS + (FINAL if with_final else []):
        found = (bundle / name).read_bytes()
        if found != computed[name]:
            raise Difference(first_difference(name, computed[name], found))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify a DRAW-v1 bundle / 验证抽查数据包")
    parser.add_argument("bundle", type=Path, help="bundle directory / 数据包目录")
    parser.add_argument(
        "--recompute", type=Path, metavar="OUT_DIR", help="write recomputed outputs"
    )
    parser.add_argument("--expect-announcement", metavar="HEX", help="published announcement hash")
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="worker processes for hashing the frame (default: CPUs, at most 4)",
    )
    args = parser.parse_args(argv)
    try:
        if not args.bundle.is_dir():
            raise Malformed(f"不是目录 / not a directory: {args.bundle}")
        verify(args.bundle, args.recompute, args.expect_announcement, args.jobs)
    except Malformed as exc:
        print(f"数据包格式错误 / MALFORMED: {exc}", file=sys.stderr)
        return 2
    except Difference as exc:
        print(f"发现不一致 / DIFFERENCE: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - anything unforeseen in a bundle is malformed
        print(f"数据包格式错误 / MALFORMED: {exc!r}", file=sys.stderr)
        return 2
    print("全部一致 / OK: the bundle verifies under DRAW-v1 (and its v1.1 replacements)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
