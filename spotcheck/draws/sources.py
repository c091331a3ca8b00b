"""The public random sources of an attempt: declared when it is prepared, checked when it
is announced and drawn, read back whenever the draw is run again.

A drand round is unpredictable only until it is published, and its signature must
verify against the chain's public key (docs/decisions/0015-drand-signatures-verified.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from spotcheck.core.draw import PublicSource, PublicValue
from spotcheck.core.draw.drand import KNOWN_CHAINS, SCHEME_CHAINED, DrandBeacon, verify_beacon
from spotcheck.core.draw.errors import MalformedInputError, RevealMismatchError
from spotcheck.draws.models import DrawAttempt

_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def declared_sources(attempt: DrawAttempt) -> dict[str, PublicSource | None]:
    """The primary and fallback sources the attempt declared (None where it declared none)."""
    declared = attempt.primary_source or {}
    return {
        role: PublicSource.from_json(declared[role]) if declared.get(role) else None
        for role in ("primary", "fallback")
    }


def public_value_of(attempt: DrawAttempt) -> PublicValue:
    """The public value the attempt was drawn with, as DRAW-v1 reads it."""
    if attempt.public_value_used == "none":
        return PublicValue()
    source = declared_sources(attempt).get(attempt.public_value_used)
    if source is not None and source.kind == "drand":
        chain = KNOWN_CHAINS.get(source.chain_hash)
        return PublicValue(
            attempt.public_value_used,
            bytes.fromhex(attempt.public_value),
            bytes.fromhex(attempt.drand_signature),
            drand=(
                DrandBeacon(chain, bytes.fromhex(attempt.drand_previous_signature))
                if chain is not None
                else None
            ),
        )
    return PublicValue(attempt.public_value_used, attempt.public_value.encode("utf-8"))


def refuse_published_round(
    source: PublicSource, now: dt.datetime, field: str | None, *, announcing: bool = False
) -> None:
    """A drand round is unpredictable only until it is published: refuse one that already
    was when it is named, or by the time the announcement that fixes it goes out."""
    chain = KNOWN_CHAINS.get(source.chain_hash) if source.kind == "drand" else None
    if chain is None:
        return
    published = chain.round_time(source.round)
    if published > now.timestamp():
        return
    at = dt.datetime.fromtimestamp(published, tz=dt.UTC).astimezone(timezone.get_current_timezone())
    latest = chain.latest_round(now.timestamp())
    later = latest + -(-24 * 3600 // chain.period)  # about a day ahead
    message = (
        f"drand {chain.beacon_id}链第{source.round}轮已于{at:%Y-%m-%d %H:%M:%S}产生，"
        f"{'早于本次公告' if announcing else '已是公开的数值'}，不能作为不可预知的公共随机源"
        f"（目前最新为第{latest}轮；如约一天后产生的第{later}轮）。"
    )
    if announcing:
        message += "请放弃本次抽取，重新准备并声明公告之后才产生的轮次"
        raise ValidationError(message)
    raise ValidationError({field: message + "请声明公告之后才产生的轮次"} if field else message)


def checked_drand_round(
    source: PublicSource, randomness: str, signature: str, previous_signature: str
) -> tuple[str, str, str]:
    """Check a drand round as the official entered it; return (randomness, signature,
    previous signature) in lowercase hex, or refuse it with the reason."""
    chain = KNOWN_CHAINS.get(source.chain_hash)
    if chain is None:
        raise ValidationError("平台只能核验drand主网quicknet和default链的签名")
    randomness, signature, previous_signature = (
        "".join(x.split()).lower() for x in (randomness, signature, previous_signature)
    )
    if not _HEX.fullmatch(signature):
        raise ValidationError({"signature": "须填写drand该轮的签名（十六进制字符）"})
    value = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    if randomness and randomness != value:
        raise ValidationError({"public_value": "随机值与签名不符：drand的随机值是签名的SHA-256"})
    chained = chain.scheme == SCHEME_CHAINED
    if chained and not _HEX.fullmatch(previous_signature):
        raise ValidationError(
            {"previous_signature": "default链是链式的，须填写前一轮签名（十六进制字符）"}
        )
    if not chained and previous_signature:
        raise ValidationError({"previous_signature": "quicknet不是链式的，不需要前一轮签名"})
    try:
        verify_beacon(
            DrandBeacon(chain, bytes.fromhex(previous_signature)),
            source.chain_hash,
            source.round,
            bytes.fromhex(signature),
            bytes.fromhex(value),
        )
    except MalformedInputError:
        raise ValidationError(
            {"signature": "drand签名格式错误：不是有效的BLS签名，请从drand原样复制"}
        ) from None
    except RevealMismatchError:
        raise ValidationError(
            {
                "signature": f"drand签名验证失败：不是drand {chain.beacon_id}链第{source.round}轮"
                "的签名，已拒绝。请核对轮次、签名和前一轮签名"
            }
        ) from None
    return value, signature, previous_signature
