"""Derive the seed of a draw from published inputs only (docs/draw-spec.md §6).

seed = SHA-256( "DRAW-v1/seed" 0x00 || SHA-256(announcement.json) || u32(m) ||
                for each reveal in official-id order: u32(len id) || id || secret ||
                source byte (0 none, 1 primary, 2 fallback) || u32(len value) || value )

All lengths are 4-byte big-endian so no two different input lists give the same
bytes.  The sub-keys used by the three draws are SHA-256(seed || "DRAW-v1/<part>/" ||
task_id), which puts the task id into every rank as the issue requires while keeping
each rank a single SHA-256 block for an 18-character code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spotcheck.core.draw.announce import Announcement, PublicSource
from spotcheck.core.draw.commit import check_reveal
from spotcheck.core.draw.drand import DrandBeacon, verify_beacon
from spotcheck.core.draw.errors import MalformedInputError, RevealMismatchError

__all__ = [
    "DrawKeys",
    "PublicValue",
    "Reveal",
    "derive_keys",
    "derive_seed",
    "lottery_text",
    "lottery_text_ok",
]

_SOURCE_BYTE = {"none": 0, "primary": 1, "fallback": 2}
# RFC 3797 §4 key-string form of a lottery result: "3.7.12.19.25.33./9./".
_LOTTERY_RE = re.compile(r"(?:(?:0|[1-9][0-9]*)\.)+/(?:(?:(?:0|[1-9][0-9]*)\.)+/)*")


@dataclass(frozen=True)
class Reveal:
    """An official's revealed 32-byte secret."""

    official_id: str
    secret: bytes


@dataclass(frozen=True)
class PublicValue:
    """The public value actually used: which source, its bytes, and drand's signature.

    For drand ``value`` is the 32-byte round randomness, which must equal
    SHA-256(signature) when the signature is given, and ``drand`` the chain info (and,
    for the chained scheme, the previous signature) against which the signature is
    verified; for a lottery ``value`` is the UTF-8 of the RFC 3797 key string of the
    result.  ``used`` is "none" when the announcement named no public value.
    """

    used: str = "none"
    value: bytes = b""
    signature: bytes = b""
    note: str = ""
    drand: DrandBeacon | None = None


def lottery_text(*groups: Sequence[int]) -> str:
    """Return the RFC 3797 key string of a lottery result, e.g. red balls then blue ball."""
    return "".join("".join(f"{n}." for n in sorted(g)) + "/" for g in groups)


def lottery_text_ok(text: str) -> bool:
    """Whether ``text`` is a well-formed RFC 3797 key string (spec §6.3).

    Each number is written without leading zeros and each group is in non-decreasing
    order, so one lottery result has exactly one key string.
    """
    if not _LOTTERY_RE.fullmatch(text):
        return False
    for group in text.split("/")[:-1]:
        numbers = [int(n) for n in group.split(".")[:-1]]
        if numbers != sorted(numbers):
            return False
    return True


def check_public_value(announcement: Announcement, public: PublicValue) -> PublicSource | None:
    """Check the public value against the announced source and return that source."""
    if public.used not in _SOURCE_BYTE:
        raise MalformedInputError(f"公共随机值来源应为none/primary/fallback：{public.used!r}")
    source = {"none": None, "primary": announcement.primary, "fallback": announcement.fallback}[
        public.used
    ]
    if public.used != "none" and source is None:
        raise RevealMismatchError(f"公告未声明{public.used}公共随机源 / source not announced")
    if public.used == "none":
        if announcement.primary is not None:
            raise RevealMismatchError("公告声明了公共随机源，必须使用 / announced source unused")
        if public.value or public.signature or public.drand is not None:
            raise MalformedInputError("未声明公共随机源却给出了值 / value without a source")
        return None
    if source is None:  # unreachable: checked above, kept for the type checker
        raise RevealMismatchError("公共随机源缺失 / source missing")
    if source.kind == "drand":
        if len(public.value) != 32:
            raise MalformedInputError("drand随机值须为32字节 / drand randomness is 32 bytes")
        if public.drand is not None:
            if not public.signature:
                raise MalformedInputError("drand须给出该轮签名 / the round's signature is missing")
            verify_beacon(
                public.drand, source.chain_hash, source.round, public.signature, public.value
            )
        elif public.signature and hashlib.sha256(public.signature).digest() != public.value:
            raise RevealMismatchError("drand随机值不等于签名的SHA-256 / randomness != H(sig)")
    elif (
        public.signature
        or public.drand is not None
        or not lottery_text_ok(public.value.decode("utf-8", "replace"))
    ):
        raise MalformedInputError(
            "彩票开奖结果须为RFC 3797格式：每组号码从小到大、不写前导零，如3.7.12./9./"
        )
    return source


def derive_seed(
    announcement: Announcement, reveals: Sequence[Reveal], public: PublicValue
) -> bytes:
    """Check every reveal against its commitment and derive the 32-byte seed.

    Every committed official must reveal: a missing reveal stops the draw, which must
    then be announced afresh (and the abandoned attempt stays in the log).
    """
    by_id = {r.official_id: r for r in reveals}
    if len(by_id) != len(reveals) or set(by_id) != {
        c.official_id for c in announcement.commitments
    }:
        raise RevealMismatchError("须由全部作出承诺的官员公布秘密值 / every official must reveal")
    check_public_value(announcement, public)
    parts = [b"DRAW-v1/seed\x00", announcement.sha256(), _u32(len(reveals))]
    for c in announcement.commitments:
        reveal = by_id[c.official_id]
        check_reveal(c.commitment, reveal.secret, c.official_id)
        parts += [_lp(c.official_id.encode("utf-8")), reveal.secret]
    parts += [bytes([_SOURCE_BYTE[public.used]]), _lp(public.value)]
    return hashlib.sha256(b"".join(parts)).digest()


@dataclass(frozen=True)
class DrawKeys:
    """The three 32-byte sub-keys: objects, inspectors and matching."""

    objects: bytes
    inspectors: bytes
    matching: bytes


def derive_keys(seed: bytes, task_id: str) -> DrawKeys:
    """Return SHA-256(seed || "DRAW-v1/<part>/" || task_id) for each part of the draw."""

    def key(part: str) -> bytes:
        return hashlib.sha256(seed + f"DRAW-v1/{part}/{task_id}".encode()).digest()

    return DrawKeys(key("objects"), key("inspectors"), key("matching"))


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def _lp(data: bytes) -> bytes:
    return _u32(len(data)) + data
