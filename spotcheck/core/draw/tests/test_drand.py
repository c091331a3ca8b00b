"""drand chain info, chain hashes and the check of a round in the draw engine."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from spotcheck.core.draw import MalformedInputError, RevealMismatchError
from spotcheck.core.draw.drand import KNOWN_CHAINS, DrandBeacon, DrandChain, verify_beacon
from spotcheck.core.draw.tests import drand_vectors as v
from spotcheck.core.draw.tests import scenario
from spotcheck.core.draw.tests.scenario import drand_scenario


def _beacon(b: dict[str, Any]) -> DrandBeacon:
    return DrandBeacon(
        DrandChain.from_json(v.INFO[b["chain"]]), bytes.fromhex(b["previous_signature"])
    )


def _check(b: dict[str, Any], **changes: Any) -> None:
    b = {**b, **changes}
    signature = bytes.fromhex(b["signature"])
    randomness = bytes.fromhex(b["randomness"]) if b.get("randomness") else None
    verify_beacon(
        b.get("beacon") or _beacon(b),
        b.get("chain_hash", b["chain"]),
        b["round"],
        signature,
        randomness or hashlib.sha256(signature).digest(),
    )


def test_the_known_chains_hash_to_their_published_chain_hashes() -> None:
    assert set(KNOWN_CHAINS) == {v.QUICKNET, v.DEFAULT}
    for chain_hash, info in v.INFO.items():
        chain = DrandChain.from_json(info)
        assert chain.chain_hash().hex() == chain_hash
        assert KNOWN_CHAINS[chain_hash] == chain
        assert chain.as_json() == info


def test_round_times_follow_genesis_and_period() -> None:
    quicknet = KNOWN_CHAINS[v.QUICKNET]
    assert quicknet.round_time(1) == 1692803367
    assert quicknet.round_time(30022612) == 1692803367 + 3 * 30022611


@pytest.mark.parametrize("beacon", v.BEACONS, ids=lambda b: f"{b['chain'][:6]}-{b['round']}")
def test_a_real_round_verifies(beacon: dict[str, Any]) -> None:
    _check(beacon)  # raises if not


def test_a_round_of_another_chain_is_refused() -> None:
    with pytest.raises(RevealMismatchError, match="链哈希"):
        _check(v.BEACONS[0], chain_hash=v.DEFAULT)


def test_the_wrong_round_is_refused_with_a_clear_message() -> None:
    with pytest.raises(RevealMismatchError, match="drand签名验证失败.*round 657414"):
        _check(v.BEACONS[0], round=657414)


def test_a_flipped_signature_bit_is_refused() -> None:
    data = bytearray(bytes.fromhex(v.BEACONS[3]["signature"]))
    data[0] ^= 0x20
    with pytest.raises(RevealMismatchError, match="does not verify"):
        _check(v.BEACONS[3], signature=data.hex(), randomness=None)


def test_randomness_must_be_the_hash_of_the_signature() -> None:
    with pytest.raises(RevealMismatchError, match="randomness"):
        _check(v.BEACONS[0], randomness="00" * 32)


def test_a_key_that_is_not_the_chains_is_refused() -> None:
    info = {**v.QUICKNET_INFO, "public_key": v.QUICKNET_INFO["public_key"][:-2] + "5b"}
    with pytest.raises(RevealMismatchError, match="链哈希"):
        _check(v.BEACONS[0], beacon=DrandBeacon(DrandChain.from_json(info)))


def test_a_signature_off_the_curve_is_malformed() -> None:
    signature = bytes([0x80]) + bytes(46) + b"\x02"  # x = 2: 12 is not a square mod p
    with pytest.raises(MalformedInputError, match="签名 signature.*not on the curve"):
        _check(v.BEACONS[0], signature=signature.hex(), randomness=None)


def test_the_previous_signature_belongs_to_the_chained_scheme_only() -> None:
    with pytest.raises(MalformedInputError, match="前一轮签名"):
        _check(v.BEACONS[3], beacon=_beacon({**v.BEACONS[3], "previous_signature": ""}))
    with pytest.raises(MalformedInputError, match="前一轮签名"):
        _check(v.BEACONS[0], beacon=_beacon({**v.BEACONS[0], "previous_signature": "ab"}))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"scheme": "bls-unchained-on-g1"}, "不支持的drand签名方案"),
        ({"period": 0}, "period"),
        ({"public_key": "xyz"}, "public_key"),
        ({"public_key": "00" * 48}, "公钥长度"),
        ({"extra": 1}, "字段"),
    ],
)
def test_bad_chain_info_is_malformed(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(MalformedInputError, match=reason):
        DrandChain.from_json({**v.QUICKNET_INFO, **change})


def test_the_engine_draws_with_a_verified_round() -> None:
    run = scenario.run(drand_scenario(v.BEACONS[0]))
    assert run.outcome.public_value.value.hex() == v.BEACONS[0]["randomness"]


def test_the_engine_refuses_an_invented_signature_when_the_chain_is_given() -> None:
    s = drand_scenario(v.BEACONS[0])
    s["public"]["signature"] = scenario.generate(1)["public"]["signature"]  # random bytes
    with pytest.raises(MalformedInputError):  # random bytes are almost never a curve point
        scenario.run(s)


def test_the_engine_refuses_a_real_signature_for_another_round() -> None:
    s = drand_scenario(v.BEACONS[3])
    s["public"]["primary"]["round"] = 1001
    with pytest.raises(RevealMismatchError, match="round 1001"):
        scenario.run(s)
