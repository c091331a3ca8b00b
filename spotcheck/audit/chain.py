"""The audit chain: the canonical form of one entry and its hash.  Standard library only.

Every audit entry carries the hash of the entry before it, so changing, removing or
re-ordering any stored entry breaks every hash after it.
``docs/decisions/0010-audit-hash-chain.md`` explains the choices; this module is the
exact definition a verifier in another language can re-implement.

Canonical form, version 1 (``CANONICAL_VERSION``): the UTF-8 bytes of the JSON object ::

    {"action": <event type, string>,
     "actor_id": <user id, integer, or null for the system>,
     "actor_label": <the actor's name at the time, string>,
     "alg": <"sm3" or "sha256">,
     "data": <the change itself: before/after values, counts ...; a JSON object>,
     "prev": <hash of the previous entry, 64 lowercase hex digits; 64 zeros for the first>,
     "seq": <position in the chain, integer, 1 for the first>,
     "target_id": <string, "" when none>,
     "target_label": <string, "" when none>,
     "target_type": <"app_label.model", "" when none>,
     "time": <UTC time, "YYYY-MM-DDTHH:MM:SS.ffffffZ">,
     "v": 1}

serialised with keys sorted by code point at every depth, no whitespace
(separators ``,`` and ``:``), non-ASCII characters written as themselves (not ``\\uXXXX``),
and floats with an integral value written as integers (``1.0`` → ``1``; PostgreSQL's
jsonb returns ``1e20`` as an integer, so both forms must hash the same).
The entry hash is the lowercase hex digest of those bytes under ``alg``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CANONICAL_VERSION = 1
GENESIS_HASH = "0" * 64


def chain_algorithm() -> str:
    """Return the hash for new entries: SM3 (GB/T 32905) where hashlib offers it, else SHA-256."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


@dataclass(frozen=True)
class ChainEntry:
    """The hashed fields of one audit entry."""

    seq: int
    time: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    data: Mapping[str, Any]
    prev: str
    alg: str


def canonical_time(value: dt.datetime) -> str:
    """Return an aware datetime as UTC with microseconds, e.g. ``2026-11-26T02:59:18.000123Z``."""
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normalised(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): _normalised(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalised(v) for v in value]
    raise TypeError(f"audit data holds a {type(value).__name__}, which JSON cannot carry")


def canonical_bytes(entry: ChainEntry) -> bytes:
    """Return the canonical serialisation (version 1) of one entry."""
    document = {
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "alg": entry.alg,
        "data": _normalised(entry.data),
        "prev": entry.prev,
        "seq": entry.seq,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "target_type": entry.target_type,
        "time": canonical_time(entry.time),
        "v": CANONICAL_VERSION,
    }
    text = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def entry_hash(entry: ChainEntry) -> str:
    """Return the lowercase hex hash of the entry's canonical form under its algorithm."""
    return hashlib.new(entry.alg, canonical_bytes(entry)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold, and why."""

    seq: int
    entry_id: int
    reason: str


def first_break(entries: Any) -> Break | None:
    """Walk ``(entry_id, ChainEntry, stored_hash)`` in chain order; return the first break.

    An entry breaks the chain when its position is not the next one (an entry is missing
    or inserted), when it does not name the previous entry's stored hash, or when its
    stored hash is not the hash of its own fields (it was changed).
    """
    expected_seq = 1
    prev = GENESIS_HASH
    for entry_id, entry, stored in entries:
        if entry.seq != expected_seq:
            return Break(entry.seq, entry_id, f"序号应为 {expected_seq}，实为 {entry.seq}")
        if entry.prev != prev:
            return Break(entry.seq, entry_id, "前一条哈希不符（前一条被改动或删除）")
        if entry.alg not in hashlib.algorithms_available:
            return Break(entry.seq, entry_id, f"本机不支持哈希算法 {entry.alg}")
        if entry_hash(entry) != stored:
            return Break(entry.seq, entry_id, "内容与哈希不符（本条被改动）")
        prev = stored
        expected_seq += 1
    return None
