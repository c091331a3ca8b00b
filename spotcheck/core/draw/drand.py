"""drand beacons as a public value: chain info, chain hash and signature checks (spec §6.3).

A drand chain is named by its chain hash, SHA-256 of its info (period, genesis time,
public key, group hash and, except for the default network, the beacon id), so the
announcement's chain hash fixes the public key before any round exists.  A round's
signature is a BLS signature on SHA-256 of the round (unchained schemes) or of the
previous signature and the round (the chained scheme); its randomness is SHA-256 of the
signature.  Two schemes are supported, those of drand's main networks:

- ``bls-unchained-g1-rfc9380`` (quicknet): signature on G1 (48 bytes), key on G2;
- ``pedersen-bls-chained`` (the default network): signature on G2 (96 bytes), key on G1.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spotcheck.core.draw import bls12_381
from spotcheck.core.draw.errors import MalformedInputError, RevealMismatchError

__all__ = [
    "KNOWN_CHAINS",
    "NETWORKS",
    "SCHEMES",
    "SCHEME_CHAINED",
    "SCHEME_UNCHAINED_G1",
    "DrandBeacon",
    "DrandChain",
    "beacon_message",
    "verify_beacon",
]

SCHEME_UNCHAINED_G1 = "bls-unchained-g1-rfc9380"
SCHEME_CHAINED = "pedersen-bls-chained"
SCHEMES = (SCHEME_UNCHAINED_G1, SCHEME_CHAINED)
_KEY_BYTES = {SCHEME_UNCHAINED_G1: 96, SCHEME_CHAINED: 48}
_DEFAULT_BEACON_IDS = ("", "default")  # drand hashes no beacon id for its default network
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


@dataclass(frozen=True)
class DrandChain:
    """What a drand relay publishes at /<chain hash>/info, as drand hashes it."""

    public_key: bytes
    period: int
    genesis_time: int
    group_hash: bytes
    scheme: str
    beacon_id: str

    def chain_hash(self) -> bytes:
        """SHA-256(u32 period ‖ i64 genesis time ‖ public key ‖ group hash [‖ beacon id])."""
        data = (
            self.period.to_bytes(4, "big")
            + self.genesis_time.to_bytes(8, "big", signed=True)
            + self.public_key
            + self.group_hash
        )
        if self.beacon_id not in _DEFAULT_BEACON_IDS:
            data += self.beacon_id.encode("utf-8")
        return hashlib.sha256(data).digest()

    def round_time(self, round_number: int) -> int:
        """Unix time at which the round is published."""
        return self.genesis_time + (round_number - 1) * self.period

    def latest_round(self, unix_time: float) -> int:
        """The last round published at or before ``unix_time`` (0 before genesis)."""
        if unix_time < self.genesis_time:
            return 0
        return int(unix_time - self.genesis_time) // self.period + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "beacon_id": self.beacon_id,
            "genesis_time": self.genesis_time,
            "group_hash": self.group_hash.hex(),
            "period": self.period,
            "public_key": self.public_key.hex(),
            "scheme": self.scheme,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrandChain:
        """Read the chain info of reveals.json; refuse anything not in canonical form."""
        if not isinstance(data, Mapping) or sorted(data) != [
            "beacon_id",
            "genesis_time",
            "group_hash",
            "period",
            "public_key",
            "scheme",
        ]:
            raise MalformedInputError("drand链信息字段不符 / drand chain info members")
        for name in ("genesis_time", "period"):
            value = data[name]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise MalformedInputError(
                    f"drand链信息{name}应为正整数 / must be a positive integer"
                )
        for name in ("group_hash", "public_key"):
            if not isinstance(data[name], str) or not _HEX.fullmatch(data[name]):
                raise MalformedInputError(f"drand链信息{name}应为十六进制 / must be hex")
        if not isinstance(data["beacon_id"], str) or data["scheme"] not in SCHEMES:
            raise MalformedInputError(
                f"不支持的drand签名方案：{data['scheme']!r} / unsupported drand scheme"
            )
        chain = cls(
            public_key=bytes.fromhex(data["public_key"]),
            period=data["period"],
            genesis_time=data["genesis_time"],
            group_hash=bytes.fromhex(data["group_hash"]),
            scheme=data["scheme"],
            beacon_id=data["beacon_id"],
        )
        if len(chain.public_key) != _KEY_BYTES[chain.scheme]:
            raise MalformedInputError(
                "drand公钥长度与签名方案不符 / key length does not fit the scheme"
            )
        return chain


@dataclass(frozen=True)
class DrandBeacon:
    """The evidence for a drand round beyond its signature: the chain info and, for the
    chained scheme, the previous round's signature (the message depends on it)."""

    chain: DrandChain
    previous_signature: bytes = b""

    def as_json(self) -> dict[str, Any]:
        return {"chain": self.chain.as_json(), "previous_signature": self.previous_signature.hex()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrandBeacon:
        if not isinstance(data, Mapping) or sorted(data) != ["chain", "previous_signature"]:
            raise MalformedInputError("drand字段应为chain和previous_signature / drand members")
        previous = data["previous_signature"]
        if not isinstance(previous, str) or (previous and not _HEX.fullmatch(previous)):
            raise MalformedInputError("previous_signature应为十六进制 / must be hex")
        return cls(DrandChain.from_json(data["chain"]), bytes.fromhex(previous))


# drand's League of Entropy main networks, as their relays publish them at /info.
KNOWN_CHAINS: dict[str, DrandChain] = {
    chain.chain_hash().hex(): chain
    for chain in (
        DrandChain(
            public_key=bytes.fromhex(
                "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
                "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
                "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
            ),
            period=3,
            genesis_time=1692803367,
            group_hash=bytes.fromhex(
                "f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e"
            ),
            scheme=SCHEME_UNCHAINED_G1,
            beacon_id="quicknet",
        ),
        DrandChain(
            public_key=bytes.fromhex(
                "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a5699"
                "37c529eeda66c7293784a9402801af31"
            ),
            period=30,
            genesis_time=1595431050,
            group_hash=bytes.fromhex(
                "176f93498eac9ca337150b46d21dd58673ea4e3581185f869672e59fa4cb390a"
            ),
            scheme=SCHEME_CHAINED,
            beacon_id="default",
        ),
    )
}


# beacon id → chain hash of the known networks ("quicknet", "default")
NETWORKS: dict[str, str] = {chain.beacon_id: h for h, chain in KNOWN_CHAINS.items()}


def beacon_message(scheme: str, round_number: int, previous_signature: bytes = b"") -> bytes:
    """The 32 bytes drand signs for a round."""
    round_bytes = round_number.to_bytes(8, "big")
    if scheme == SCHEME_CHAINED:
        return hashlib.sha256(previous_signature + round_bytes).digest()
    return hashlib.sha256(round_bytes).digest()


def verify_beacon(
    beacon: DrandBeacon, chain_hash: str, round_number: int, signature: bytes, randomness: bytes
) -> None:
    """Check a round against the announced chain hash, or raise.

    A malformed key, signature or chain info raises MalformedInputError; a beacon of
    another chain, a signature that does not verify for this round, or randomness that
    is not SHA-256 of the signature raises RevealMismatchError.
    """
    chain = beacon.chain
    if chain.chain_hash().hex() != chain_hash:
        raise RevealMismatchError(
            "drand链信息与公告中的链哈希不符 / chain info does not hash to the announced chain"
        )
    if hashlib.sha256(signature).digest() != randomness:
        raise RevealMismatchError("drand随机值不等于签名的SHA-256 / randomness != H(sig)")
    if chain.scheme == SCHEME_CHAINED and not beacon.previous_signature:
        raise MalformedInputError("链式drand须给出前一轮签名 / previous signature missing")
    if chain.scheme != SCHEME_CHAINED and beacon.previous_signature:
        raise MalformedInputError("非链式drand不应有前一轮签名 / unexpected previous signature")
    try:
        valid = _signature_verifies(
            chain.scheme, chain.public_key, round_number, beacon.previous_signature, signature
        )
    except bls12_381.PointError as exc:
        raise MalformedInputError(f"drand公钥或签名不是有效的曲线点：{exc}") from None
    if not valid:
        raise RevealMismatchError(
            f"drand签名验证失败：不是该链第{round_number}轮的签名"
            f" / BLS signature does not verify for round {round_number}"
        )


@functools.lru_cache(maxsize=64)
def _signature_verifies(
    scheme: str, public_key: bytes, round_number: int, previous_signature: bytes, signature: bytes
) -> bool:
    """The pairing check (a third of a second); a stored draw re-runs it on every read."""
    message = beacon_message(scheme, round_number, previous_signature)
    if scheme == SCHEME_CHAINED:
        return bls12_381.verify_g2_signature(public_key, message, signature, bls12_381.DST_G2)
    return bls12_381.verify_g1_signature(public_key, message, signature, bls12_381.DST_G1)
