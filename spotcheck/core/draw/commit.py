"""Officials' commitments and the salted commitment to the 回避 (avoidance) list.

An official's commitment is exactly ``SHA-256(secret || UTF-8(official_id))`` with a
32-byte secret, so an official can check it with any SHA-256 tool; binding the id
stops one official from replaying another's commitment as their own.

The avoidance list is committed pair by pair.  Each pair (entity, inspector) gets a
fresh 16-byte salt and becomes the leaf row ``entity_id TAB hex(SHA-256(salt ||
entity_id || TAB || certificate_no))``.  All leaf rows are published, so for any
entity anyone can see *how many* 回避 pairs it has, and after the draw the bundle
opens (certificate number and salt) every pair of each selected or reserve entity.
Who is avoided is thus public only for drawn entities, why (kinship, shareholding …)
never; the salt stops anyone from testing the public certificate numbers against
the hashes of undrawn entities.  Opening all pairs of an entity, and not a chosen
few, is checkable because the entity id is in the clear.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from spotcheck.core.draw.canonical import check_entity_id, check_text, lines_bytes
from spotcheck.core.draw.errors import MalformedInputError, RevealMismatchError
from spotcheck.core.draw.merkle import merkle_root

__all__ = [
    "SALT_BYTES",
    "SECRET_BYTES",
    "AvoidanceCommitment",
    "AvoidancePair",
    "check_reveal",
    "commit_avoidance",
    "commitment",
    "new_secret",
    "open_avoidance",
    "pair_hash",
]

SECRET_BYTES = 32
SALT_BYTES = 16


def new_secret() -> bytes:
    """Return a fresh 32-byte secret for an official's commitment."""
    return secrets.token_bytes(SECRET_BYTES)


def commitment(secret: bytes, official_id: str) -> bytes:
    """Return SHA-256(secret || UTF-8(official_id)) for a 32-byte secret."""
    if len(secret) != SECRET_BYTES:
        raise MalformedInputError(f"秘密值须为{SECRET_BYTES}字节 / secret must be 32 bytes")
    check_text(official_id, "官员标识")
    return hashlib.sha256(secret + official_id.encode("utf-8")).digest()


def check_reveal(expected: bytes, secret: bytes, official_id: str) -> None:
    """Refuse a reveal that does not open the official's commitment."""
    if len(secret) != SECRET_BYTES or commitment(secret, official_id) != expected:
        raise RevealMismatchError(
            f"{official_id}公布的秘密值与其承诺不符，拒绝接受 / reveal does not match commitment"
        )


def pair_hash(salt: bytes, entity_id: str, certificate_no: str) -> bytes:
    """Return SHA-256(salt || entity_id || TAB || certificate_no), the hidden half of a leaf."""
    if len(salt) != SALT_BYTES:
        raise MalformedInputError(f"盐值须为{SALT_BYTES}字节 / salt must be 16 bytes")
    return hashlib.sha256(salt + f"{entity_id}\t{certificate_no}".encode()).digest()


@dataclass(frozen=True, order=True)
class AvoidancePair:
    """One 回避 pair with its salt: the opening of one committed leaf."""

    entity_id: str
    certificate_no: str
    salt: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_entity_id(self.entity_id)
        check_text(self.certificate_no, "执法证号")
        if len(self.salt) != SALT_BYTES:
            raise MalformedInputError("盐值须为16字节 / salt must be 16 bytes")

    def leaf_line(self) -> bytes:
        """Return the public leaf row of this pair."""
        digest = pair_hash(self.salt, self.entity_id, self.certificate_no)
        return f"{self.entity_id}\t{digest.hex()}".encode()

    def opening_line(self) -> bytes:
        """Return the row that opens this pair in a bundle."""
        return f"{self.entity_id}\t{self.certificate_no}\t{self.salt.hex()}".encode()


@dataclass(frozen=True)
class AvoidanceCommitment:
    """The committed avoidance list: the openings (kept private) and the public leaves."""

    pairs: tuple[AvoidancePair, ...]
    leaves: tuple[bytes, ...]
    root: bytes

    @property
    def count(self) -> int:
        return len(self.leaves)

    def leaves_file(self) -> bytes:
        """Return the public avoidance.tsv."""
        return lines_bytes(self.leaves)

    def by_entity(self) -> Mapping[str, frozenset[str]]:
        """Return, for each entity, the certificates it must never be matched with."""
        found: dict[str, set[str]] = defaultdict(set)
        for pair in self.pairs:
            found[pair.entity_id].add(pair.certificate_no)
        return {e: frozenset(c) for e, c in found.items()}


def commit_avoidance(
    pairs: Iterable[tuple[str, str]], *, salts: Mapping[tuple[str, str], bytes] | None = None
) -> AvoidanceCommitment:
    """Salt and commit (entity_id, certificate_no) pairs; duplicates collapse to one.

    ``salts`` lets a caller re-create a stored commitment (and the golden vectors);
    otherwise each pair gets a fresh random salt.
    """
    opened = []
    for entity_id, certificate_no in sorted(set(pairs)):
        salt = salts[(entity_id, certificate_no)] if salts else secrets.token_bytes(SALT_BYTES)
        opened.append(AvoidancePair(entity_id, certificate_no, salt))
    leaves = tuple(sorted(p.leaf_line() for p in opened))
    return AvoidanceCommitment(tuple(opened), leaves, merkle_root(leaves))


def open_avoidance(
    commitment_: AvoidanceCommitment, entity_ids: Iterable[str]
) -> tuple[AvoidancePair, ...]:
    """Return the openings of every pair of the given entities, sorted as in the bundle."""
    wanted = set(entity_ids)
    chosen = [p for p in commitment_.pairs if p.entity_id in wanted]
    return tuple(sorted(chosen, key=lambda p: p.opening_line()))


def check_openings(
    leaves: Sequence[bytes], openings: Sequence[AvoidancePair], entity_ids: Iterable[str]
) -> None:
    """Check that the openings open exactly all leaves of the given entities."""
    wanted = set(entity_ids)
    expected = sorted(line for line in leaves if line.split(b"\t", 1)[0].decode() in wanted)
    got = sorted(p.leaf_line() for p in openings)
    if got != expected:
        raise MalformedInputError(
            "回避承诺的公开不完整或与承诺不符 / avoidance openings do not match the leaves"
        )
