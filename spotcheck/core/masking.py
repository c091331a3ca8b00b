"""Mask personal identifiers before they are stored or shown."""

from __future__ import annotations

import re

_ID18_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_error(raw: str) -> str | None:
    """Return a Chinese error for a malformed 18-digit 居民身份证号码 (GB 11643), else None."""
    number = raw.strip().upper()
    if not _ID18_RE.match(number):
        return "居民身份证号码应为18位（最后一位可为X）"
    total = sum(int(ch) * w for ch, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        return "居民身份证号码校验位不正确"
    return None


def mask_identifier(raw: str, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """Keep the first and last few characters of an identifier and star the rest."""
    value = raw.strip().upper()
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_phone(raw: str) -> str:
    """Show a phone number as 138****1234 (the form used in public documents)."""
    value = raw.strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def phone_error(raw: str) -> str | None:
    """Return a Chinese error for a phone number that cannot be dialled, else None.

    Numbers are stored in full and masked when shown (docs/access.md); a number that
    arrives already masked (138****1234, copied from a list or a public document) would
    be stored useless, so it is refused wherever numbers come in.
    """
    if "*" in raw or "＊" in raw:
        return "请填写完整的电话号码，不能填写打了星号的号码"
    return None
