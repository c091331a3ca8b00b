"""BLS12-381 against published vectors, in the platform and in the standalone verifier.

tools/verify_draw.py carries its own copy of spotcheck/core/draw/bls12_381.py (it must
stay one standard-library file), so every test here runs against both.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from spotcheck.core.draw import bls12_381
from spotcheck.core.draw.tests import drand_vectors as v

VERIFIER = Path(__file__).resolve().parents[4] / "tools" / "verify_draw.py"


def _verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_draw_bls", VERIFIER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


IMPLEMENTATIONS = {"core": bls12_381, "verifier": _verifier()}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def bls(request: pytest.FixtureRequest) -> Any:
    return IMPLEMENTATIONS[request.param]


def _hex(value: str) -> int:
    return int(value, 16)


@pytest.mark.parametrize("msg", list(v.H2C_G1), ids=lambda m: m[:8].decode() or "empty")
def test_hash_to_g1_matches_rfc_9380_j_9_1(bls: Any, msg: bytes) -> None:
    px, py, u0, u1, q0x, q0y, q1x, q1y = (_hex(h) for h in v.H2C_G1[msg])

    assert bls.hash_to_field_fp(msg, v.H2C_G1_DST, 2) == [u0, u1]
    assert bls.G1_CURVE.to_affine(bls.map_to_g1(u0)) == (q0x, q0y)
    assert bls.G1_CURVE.to_affine(bls.map_to_g1(u1)) == (q1x, q1y)
    assert bls.hash_to_g1(msg, v.H2C_G1_DST) == (px, py)


@pytest.mark.parametrize("msg", list(v.H2C_G2), ids=lambda m: m[:8].decode() or "empty")
def test_hash_to_g2_matches_rfc_9380_j_10_1(bls: Any, msg: bytes) -> None:
    x0, x1, y0, y1 = (_hex(h) for h in v.H2C_G2[msg])

    assert bls.hash_to_g2(msg, v.H2C_G2_DST) == ((x0, x1), (y0, y1))


def test_a_different_dst_gives_a_different_point(bls: Any) -> None:
    assert bls.hash_to_g1(b"abc", bls.DST_G1) != bls.hash_to_g1(b"abc", v.H2C_G1_DST)


def test_generators_are_on_their_curves_and_of_order_r(bls: Any) -> None:
    for curve, gen in ((bls.G1_CURVE, bls.G1_GENERATOR), (bls.G2_CURVE, bls.G2_GENERATOR)):
        assert curve.on_curve(*gen)
        assert curve.is_infinity(curve.mul(curve.from_affine(*gen), bls.R))
        assert not curve.is_infinity(curve.mul(curve.from_affine(*gen), bls.R - 1))


def test_the_pairing_is_bilinear_and_non_degenerate(bls: Any) -> None:
    g1 = bls.G1_CURVE.from_affine(*bls.G1_GENERATOR)
    g2 = bls.G2_CURVE.from_affine(*bls.G2_GENERATOR)
    a, b = 5, 7
    e = bls.pairing(bls.G1_GENERATOR, bls.G2_GENERATOR)

    left = bls.pairing(
        bls.G1_CURVE.to_affine(bls.G1_CURVE.mul(g1, a)),
        bls.G2_CURVE.to_affine(bls.G2_CURVE.mul(g2, b)),
    )

    assert e != bls.F12_ONE
    assert left == bls.f12_pow(e, a * b)
    assert bls.f12_pow(e, bls.R) == bls.F12_ONE


def test_compression_round_trips(bls: Any) -> None:
    g1 = bls.G1_CURVE.from_affine(*bls.G1_GENERATOR)
    g2 = bls.G2_CURVE.from_affine(*bls.G2_GENERATOR)
    for k in (1, 2, 12345):
        p = bls.G1_CURVE.to_affine(bls.G1_CURVE.mul(g1, k))
        q = bls.G2_CURVE.to_affine(bls.G2_CURVE.mul(g2, k))
        assert bls.g1_decompress(bls.g1_compress(p)) == p
        assert bls.g2_decompress(bls.g2_compress(q)) == q
        assert bls.g1_decompress(bls.g1_compress(bls._g1_neg(p))) == bls._g1_neg(p)


def _verify(bls: Any, beacon: dict[str, Any], **changes: Any) -> bool:
    b = {**beacon, **changes}
    info = v.INFO[b["chain"]]
    key = bytes.fromhex(b.get("public_key", info["public_key"]))
    signature = bytes.fromhex(b["signature"])
    round_bytes = b["round"].to_bytes(8, "big")
    if info["scheme"] == "pedersen-bls-chained":
        message = hashlib.sha256(bytes.fromhex(b["previous_signature"]) + round_bytes).digest()
        result: bool = bls.verify_g2_signature(key, message, signature, bls.DST_G2)
    else:
        message = hashlib.sha256(round_bytes).digest()
        result = bls.verify_g1_signature(key, message, signature, bls.DST_G1)
    return result


@pytest.mark.parametrize("beacon", v.BEACONS, ids=lambda b: f"{b['chain'][:6]}-{b['round']}")
def test_a_real_drand_beacon_verifies(bls: Any, beacon: dict[str, Any]) -> None:
    signature = bytes.fromhex(beacon["signature"])
    if beacon["randomness"] is not None:
        assert hashlib.sha256(signature).hexdigest() == beacon["randomness"]
    assert _verify(bls, beacon)


@pytest.mark.parametrize("beacon", v.BEACONS, ids=lambda b: f"{b['chain'][:6]}-{b['round']}")
def test_a_real_beacon_does_not_verify_for_another_round(bls: Any, beacon: dict[str, Any]) -> None:
    assert not _verify(bls, beacon, round=beacon["round"] + 1)


def _flip_sign(signature: str) -> str:
    data = bytearray(bytes.fromhex(signature))
    data[0] ^= 0x20  # the other point with the same x: valid, but not the signature
    return data.hex()


@pytest.mark.parametrize("index", [0, 3], ids=["quicknet", "default"])
def test_a_flipped_signature_bit_does_not_verify(bls: Any, index: int) -> None:
    beacon = v.BEACONS[index]
    assert not _verify(bls, beacon, signature=_flip_sign(beacon["signature"]))


def test_a_chained_beacon_needs_its_own_previous_signature(bls: Any) -> None:
    beacon = v.BEACONS[3]
    other = v.BEACONS[4]["previous_signature"]
    assert not _verify(bls, beacon, previous_signature=other)


def test_another_valid_key_does_not_verify(bls: Any) -> None:
    # the G2 generator is a valid key of the right group, just not the chain's
    other = bls.g2_compress(bls.G2_GENERATOR).hex()
    assert not _verify(bls, v.BEACONS[0], public_key=other)


def _off_curve_x(bls: Any) -> int:
    x = 1
    while bls._fp_sqrt((x**3 + 4) % bls.P) is not None:
        x += 1
    return x


def _on_curve_outside_g1(bls: Any) -> tuple[int, int]:
    x = 1
    while True:
        y = bls._fp_sqrt((x**3 + 4) % bls.P)
        if y is not None:
            pt = bls.G1_CURVE.from_affine(x, y)
            if not bls.G1_CURVE.is_infinity(bls.G1_CURVE.mul(pt, bls.R)):
                return (x, y)
        x += 1


def _bad_g1(bls: Any, case: str) -> bytes:
    good = bytes.fromhex(v.BEACONS[0]["signature"])
    if case == "length":
        return good[:47]
    if case == "uncompressed":
        return bytes([good[0] & 0x7F]) + good[1:]
    if case == "infinity":
        return bytes([0xC0]) + bytes(47)
    if case == "bad infinity":
        return bytes([0xC0]) + bytes(46) + b"\x01"
    if case == "x not below p":
        return bytes([0x80 | 0x1F]) + b"\xff" * 47
    if case == "not on curve":
        off_curve = bytearray(_off_curve_x(bls).to_bytes(48, "big"))
        off_curve[0] |= 0x80
        return bytes(off_curve)
    assert case == "not in subgroup"
    data: bytes = bls.g1_compress(_on_curve_outside_g1(bls))
    return data


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("length", "expected 48 bytes"),
        ("uncompressed", "not a compressed point"),
        ("infinity", "point at infinity"),
        ("bad infinity", "bad encoding of the point at infinity"),
        ("x not below p", "not below the field modulus"),
        ("not on curve", "not on the curve"),
        ("not in subgroup", "not in the prime-order subgroup"),
    ],
)
def test_malformed_g1_encodings_are_refused(bls: Any, case: str, reason: str) -> None:
    with pytest.raises(bls.PointError, match=reason):
        bls.g1_decompress(_bad_g1(bls, case))


def test_g2_points_off_the_curve_or_outside_the_subgroup_are_refused(bls: Any) -> None:
    x1 = 1
    while True:
        x = (0, x1)
        rhs = bls.f2_add(bls.f2_mul(bls.f2_sqr(x), x), bls.G2_CURVE.b)
        y = bls._f2_sqrt(rhs)
        if y is None:
            off = bytearray(x1.to_bytes(48, "big") + bytes(48))
            off[0] |= 0x80
            with pytest.raises(bls.PointError, match="not on the curve"):
                bls.g2_decompress(bytes(off))
            break
        x1 += 1
    x1 = 1
    while (
        bls._f2_sqrt(bls.f2_add(bls.f2_mul(bls.f2_sqr((0, x1)), (0, x1)), bls.G2_CURVE.b)) is None
    ):
        x1 += 1
    y = bls._f2_sqrt(bls.f2_add(bls.f2_mul(bls.f2_sqr((0, x1)), (0, x1)), bls.G2_CURVE.b))
    with pytest.raises(bls.PointError, match="subgroup"):
        bls.g2_decompress(bls.g2_compress(((0, x1), y)))


def test_a_malformed_signature_says_which_point(bls: Any) -> None:
    beacon = v.BEACONS[0]
    key = bytes.fromhex(v.QUICKNET_INFO["public_key"])
    message = hashlib.sha256(beacon["round"].to_bytes(8, "big")).digest()
    bad = bls.g1_compress(_on_curve_outside_g1(bls))
    with pytest.raises(bls.PointError, match="签名 signature.*subgroup"):
        bls.verify_g1_signature(key, message, bad, bls.DST_G1)
    with pytest.raises(bls.PointError, match="公钥 public key"):
        bls.verify_g1_signature(key[:95], message, bytes.fromhex(beacon["signature"]), bls.DST_G1)


@pytest.mark.parametrize(
    ("announced_at", "said"),
    [
        ("2023-09-15T18:59:00+08:00", "published after the announcement: 2023-09-15T11:00:03"),
        ("2023-09-15T19:00:03+08:00", "WARNING: the round was published BEFORE the announcement"),
    ],
)
def test_the_verifier_says_whether_the_round_came_out_after_the_announcement(
    announced_at: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: quicknet round 657413, published at 2023-09-15 11:00:03 UTC
    verifier = IMPLEMENTATIONS["verifier"]
    info = v.QUICKNET_INFO
    beacon = {"genesis_time": info["genesis_time"], "period": info["period"]}

    # when
    verifier.note_round_time(beacon, 657413, announced_at)

    # then
    assert said in capsys.readouterr().out
