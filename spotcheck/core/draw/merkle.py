"""SHA-256 Merkle trees over canonical rows (RFC 6962 / RFC 9162 hashing).

Leaves are ``SHA-256(0x00 || row)`` and inner nodes ``SHA-256(0x01 || left || right)``
so that a leaf can never be passed off as a node (second-preimage protection).  The
tree is built level by level; an odd last node is carried up unchanged, which gives
exactly RFC 6962's MTH (split at the largest power of two below n).  The empty tree
is ``SHA-256("")``.  Inclusion proofs let an enterprise check its own row and risk
class against the published root without downloading the frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spotcheck.core.draw._runtime import gc_paused
from spotcheck.core.draw._runtime import sha256 as _sha256

__all__ = [
    "EMPTY_ROOT",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_of_leaf_hashes",
    "verify_inclusion",
]

EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(row: bytes) -> bytes:
    """Return the hash of one leaf: SHA-256(0x00 || row)."""
    return _sha256(b"\x00" + row).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an inner node: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def _next_level(level: Sequence[bytes]) -> list[bytes]:
    n = len(level)
    upper = [_sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, n - 1, 2)]
    if n % 2:
        upper.append(level[-1])
    return upper


@gc_paused()
def root_of_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the root over already hashed leaves."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


@gc_paused()
def merkle_root(rows: Iterable[bytes]) -> bytes:
    """Return the Merkle root over canonical rows, in the order given."""
    return root_of_leaf_hashes([_sha256(b"\x00" + row).digest() for row in rows])


def inclusion_proof(rows: Sequence[bytes], index: int) -> list[bytes]:
    """Return the audit path of row ``index``: the sibling hashes from leaf to root."""
    if not 0 <= index < len(rows):
        raise IndexError(index)
    level = [leaf_hash(row) for row in rows]
    path: list[bytes] = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        level = _next_level(level)
        index //= 2
    return path


def verify_inclusion(row: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """Tell whether ``row`` sits at ``index`` of a tree of ``size`` rows with that root."""
    if not 0 <= index < size:
        return False
    node = leaf_hash(row)
    steps = iter(path)
    width = size
    while width > 1:
        if index % 2 == 1:
            sibling = next(steps, None)
            if sibling is None:
                return False
            node = node_hash(sibling, node)
        elif index + 1 < width:
            sibling = next(steps, None)
            if sibling is None:
                return False
            node = node_hash(node, sibling)
        # else: the odd last node is carried up unchanged.
        index //= 2
        width = (width + 1) // 2
    return next(steps, None) is None and node == root
