"""Merkle roots follow RFC 6962: checked against Certificate Transparency's reference vectors."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from spotcheck.core.draw.merkle import (
    EMPTY_ROOT,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)

# The leaves and roots of certificate-transparency's merkle_tree_test (RFC 6962 trees).
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def rfc6962_mth(rows: list[bytes]) -> bytes:
    """Return MTH exactly as RFC 6962 §2.1 defines it (split at the largest power of two)."""
    if not rows:
        return hashlib.sha256(b"").digest()
    if len(rows) == 1:
        return leaf_hash(rows[0])
    k = 1
    while k * 2 < len(rows):
        k *= 2
    return node_hash(rfc6962_mth(rows[:k]), rfc6962_mth(rows[k:]))


def test_roots_match_certificate_transparency_vectors() -> None:
    for n, expected in enumerate(CT_ROOTS, 1):
        assert merkle_root(CT_LEAVES[:n]).hex() == expected


def test_empty_tree_is_sha256_of_nothing() -> None:
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=40))
def test_carrying_odd_nodes_up_equals_rfc6962_split(rows: list[bytes]) -> None:
    assert merkle_root(rows) == rfc6962_mth(rows)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_every_row_has_a_valid_inclusion_proof(rows: list[bytes], data: st.DataObject) -> None:
    # given
    index = data.draw(st.integers(0, len(rows) - 1))
    root = merkle_root(rows)

    # when
    path = inclusion_proof(rows, index)

    # then
    assert verify_inclusion(rows[index], index, len(rows), path, root)
    assert not verify_inclusion(rows[index] + b"x", index, len(rows), path, root)


def test_proof_of_a_changed_risk_class_fails() -> None:
    # given
    rows = [f"91130183MA0ABC{i:03d}X\tB\t\tSC01".encode() for i in range(11)]
    root = merkle_root(rows)
    path = inclusion_proof(rows, 6)

    # when
    forged = rows[6].replace(b"\tB\t", b"\tA\t")

    # then
    assert verify_inclusion(rows[6], 6, 11, path, root)
    assert not verify_inclusion(forged, 6, 11, path, root)
    assert not verify_inclusion(rows[6], 5, 11, path, root)


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(left, right) != leaf_hash(left + right)
