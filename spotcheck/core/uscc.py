"""Validate 统一社会信用代码 (GB 32100-2015) and legacy 注册号 (GS15-2006).

The check character is computed over the first 17 characters with the weights
3^(i-1) mod 31.  Some early pilot-region codes are legal although they fail
the check (e.g. 91350100M0001TGQXM), so a failed check is a *warning* that an
administrator may override with a reason, whereas a malformed code is an error.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
REG_NO_RE = re.compile(r"^\d{15}$")

# GB 11714: weights on the first 8 characters of the 9-character organisation code.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccStatus(enum.Enum):
    """Outcome of checking one code."""

    VALID = "valid"
    CHECK_FAILED = "check_failed"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class UsccResult:
    """A checked code: its normalised form, status and a Chinese explanation."""

    code: str
    status: UsccStatus
    message: str
    expected_check: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is UsccStatus.VALID


def normalise(code: str) -> str:
    """Strip blanks and upper-case a code as officials type it."""
    return "".join(code.split()).upper()


def check_character(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise ValueError("need 17 characters of the USCC alphabet")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    """Return the GB 11714 check character of an organisation code body."""
    if len(first8) != 8:
        raise ValueError("need 8 characters")
    total = 0
    for ch, w in zip(first8, _ORG_WEIGHTS, strict=True):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * w
    c9 = 11 - total % 11
    if c9 == 10:
        return "X"
    if c9 == 11:
        return "0"
    return str(c9)


def validate_uscc(raw: str) -> UsccResult:
    """Check a 统一社会信用代码: malformed, check-failing, or valid."""
    code = normalise(raw)
    if len(code) != 18:
        return UsccResult(
            code, UsccStatus.MALFORMED, f"统一社会信用代码应为18位，当前为{len(code)}位"
        )
    if not USCC_RE.match(code):
        return UsccResult(
            code,
            UsccStatus.MALFORMED,
            "统一社会信用代码格式不正确：只能包含数字和除I、O、S、V、Z以外的大写字母，"
            "第3至8位为行政区划码",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccResult(
            code,
            UsccStatus.CHECK_FAILED,
            f"统一社会信用代码校验位不符（应为{expected}，实为{code[17]}）；"
            "如确为早期试点代码，可填写理由后强制保存",
            expected_check=expected,
        )
    return UsccResult(code, UsccStatus.VALID, "")


def validate_reg_no(raw: str) -> str | None:
    """Return a Chinese error for a malformed 15-digit 注册号, or None when it is fine."""
    if not REG_NO_RE.match(normalise(raw)):
        return "注册号应为15位数字"
    return None


def build_uscc(department: str, kind: str, region: str, org_body: str) -> str:
    """Assemble a valid code from its parts (used to generate synthetic directories).

    ``org_body`` is the first 8 characters of the organisation code; its GB 11714
    check character and the GB 32100 check character are appended here.
    """
    org = org_body + org_code_check(org_body)
    first17 = f"{department}{kind}{region}{org}"
    return first17 + check_character(first17)


def explain_invalid(raw: str) -> str:
    """Why a code is not a valid 统一社会信用代码, for a member of the public ("" if valid).

    Unlike an official's form there is no override here: the visitor is told what is wrong
    with what they typed, so that a mistyped character does not read as “not found”.
    """
    result = validate_uscc(raw)
    if result.ok:
        return ""
    code = result.code
    if result.status is UsccStatus.CHECK_FAILED:
        reason = (
            f"校验位不符（按 GB 32100-2015 计算，第18位应为{result.expected_check}，"
            f"输入的是{code[17]}），可能有字符输错"
        )
    elif len(code) != 18:
        reason = f"应为18位，输入的是{len(code)}位"
    else:
        reason = "只能包含数字和除I、O、S、V、Z以外的大写字母，且第3至8位为行政区划码（数字）"
    return f"“{code}”不是有效的统一社会信用代码：{reason}。请核对后重新输入。"
