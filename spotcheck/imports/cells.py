"""What a spreadsheet or a code page may have done to a cell before it reached us.

Officials edit the directories in Excel or WPS. Two things there silently corrupt data:

- a long code in a cell of number format: the spreadsheet keeps 15 significant digits,
  shows the rest in E notation (``1.3018320261207E+20``) and drops leading zeros
  (``00130183259901`` becomes ``130183259901``);
- a CSV saved in the Windows code page (ANSI, GBK/MS-936): every character outside it
  (䶮, 𠀀 — real in names and addresses) becomes ``?``.

A value damaged like that is never imported as if it were right: it is refused with a
message that says what happened and how to fix it, or — where the value may be right
(an exact number that might have had leading zeros) — imported with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "CodeColumn",
    "ENCODING_LOST",
    "code_cell_problem",
    "text_cell_problem",
    "visible",
]

SCIENTIFIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK_FROM = "\u2e80"

NUMBER_LOST = (
    "该单元格为数字格式，表格软件已将代码改为科学计数法或丢失了末尾数字（读到“{value}”）："
    "请将此列设为“文本”后重新填写原代码"
)
SCIENTIFIC_TEXT = (
    "该值是科学计数法（“{value}”）：表格软件把代码当作数字，已丢失了末尾数字。"
    "请在表格中将此列设为“文本”后重新填写原代码，再另存导入"
)
ZEROS_LOST = (
    "该单元格为数字格式，代码开头的0可能已丢失（读到{length}位数字）："
    "请将此列设为“文本”后重新填写原代码"
)
ZEROS_MAYBE_LOST = (
    "该单元格为数字格式：如原代码以0开头，开头的0已丢失，请核对本行；今后请将此列设为“文本”再填写"
)
ENCODING_LOST = (
    "含有“{mark}”：文件保存时用的编码（Excel 的“CSV（逗号分隔）”、ANSI 或 GBK）"
    "表示不了其中的某些汉字（如“䶮”“𠀀”），这些字已被替换。请另存为“CSV UTF-8”"
    "或 GB18030 编码，或直接导入 .xlsx 工作簿"
)
CONTROL = "含有不可见的控制字符（如空字符），请删除这些字符后重新导入"


@dataclass(frozen=True)
class CodeColumn:
    """A column holding a code or a number-like identifier.

    ``complete`` tells whether digits read from a number cell already have the code's
    full, known shape (so no leading zero can be missing); ``strict`` makes an
    incomplete one an error instead of a warning (a code of fixed length).
    """

    complete: Callable[[str], bool] = lambda text: False
    strict: bool = False


def digits(length: int, first: str = "123456789") -> Callable[[str], bool]:
    """A code of exactly ``length`` digits whose first digit is one of ``first``."""
    return lambda text: len(text) == length and text.isdigit() and text[0] in first


def code_cell_problem(text: str, column: CodeColumn, *, number_cell: bool) -> tuple[str, bool]:
    """Return ``(reason, is_warning)`` for a code cell, or ``("", False)`` if it is fine."""
    if SCIENTIFIC.fullmatch(text):
        return (NUMBER_LOST if number_cell else SCIENTIFIC_TEXT).format(value=text), False
    if not number_cell:
        return "", False
    if not text.isdigit():  # a fraction or a sign: not a code at all
        return NUMBER_LOST.format(value=text), False
    if column.complete(text):
        return "", False
    if column.strict:
        return ZEROS_LOST.format(length=len(text)), False
    return ZEROS_MAYBE_LOST, True


def text_cell_problem(text: str, *, chinese: bool) -> str:
    """Return why a text cell cannot be imported as it is, or ``""``.

    ``chinese`` marks a column of Chinese names and addresses, where a ``?`` among
    Chinese characters is what a code page left of a character it could not write.
    """
    if _CONTROL.search(text):
        return CONTROL
    if "\ufffd" in text:
        return ENCODING_LOST.format(mark="\ufffd")
    if chinese and "?" in text and any(ch >= _CJK_FROM for ch in text):
        return ENCODING_LOST.format(mark="?")
    return ""


def visible(text: str) -> str:
    """Show control characters as their symbols (NUL as ␀), for reports and databases."""
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m[0]) % 0x80) if m[0] != "\x7f" else "␡", text)


def looks_like_lost_digits(code: str) -> bool:
    """Whether an all-digit code ending in zeros is likely a number the spreadsheet cut."""
    return code.isdigit() and len(code) >= 16 and code.endswith("000")
