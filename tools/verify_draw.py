#!/usr/bin/env python3
"""Verify a DRAW-v1 bundle of a 双随机、一公开 draw — 抽查结果公开验证工具.

Usage:
    python verify_draw.py BUNDLE_DIR [--recompute OUT_DIR] [--expect-announcement HEX] [--jobs N]

Recomputes, from the bundle's inputs alone, the Merkle roots, the seed, the drawn
entities, the reserve lists, the drawn inspectors, the groups and the matching, and
compares them byte for byte with the bundle.  A DRAW-v1.1 bundle also carries the
replacements made after the draw (replacements.tsv: each must take the next unused
reserve entity of its stratum for an announced reason) and the matching of the final
list (final.json, final_groups.tsv); both are checked the same way.  Exit status:
    0  everything matches            全部一致
    1  a difference (the first one is printed)   发现不一致
    2  the bundle is malformed       数据包格式错误

This file is a second, independent implementation of docs/draw-spec.md (DRAW-v1).  It
needs Python 3.8+ and the standard library only, and never imports the platform.
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


# ---------------------------------------------------------------- seed (§6)

LOTTERY = re.compile(r"((0|[1-9][0-9]*)\.)+/(((0|[1-9][0-9]*)\.)+/)*\Z")


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
    pv = need(reveals["public_value"], ["note", "signature", "used", "value"], "public_value")
    if not isinstance(pv["note"], str) or not isinstance(pv["value"], str):
        raise Malformed("public_value 字段应为文本")
    declared = ann["public_value"]
    used = pv["used"]
    if used == "none":
        if declared is not None:
            raise Difference("公告声明了公共随机源却未使用 / announced public value not used")
        if pv["value"] or pv["signature"]:
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
            if pv["signature"] and sha(bytes.fromhex(pv["signature"])) != value:
                raise Difference("drand 随机值不是签名的SHA-256 / randomness != SHA-256(signature)")
        else:
            if not LOTTERY.match(pv["value"]) or pv["signature"]:
                raise Malformed("彩票结果应为RFC 3797格式 / lottery value must be RFC 3797 text")
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
