"""What the public may never see: identity numbers, phone numbers, signatures.

Notices are built from snapshots that hold no such fields; free text written by
officials (备注) is scrubbed as well, because a note may quote a number.
"""

from __future__ import annotations

import re

from django.conf import settings

HIDDEN = "［已隐去］"

_PATTERNS = (
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),  # 18-digit 身份证号码
    re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),  # 15-digit 身份证号码
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"data:image/[^\s\"']+"),  # an inline image (a drawn signature)
)


def scrub(text: str) -> str:
    """Replace identity numbers, phone numbers and inline images in free text."""
    for pattern in _PATTERNS:
        text = pattern.sub(HIDDEN, text)
    return text


def show_inspector_names() -> bool:
    """Whether notices name the inspectors (with certificate number); a setting."""
    return bool(getattr(settings, "PUBLIC_SHOW_INSPECTOR_NAMES", True))
