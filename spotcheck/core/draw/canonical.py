"""Canonical rows and canonical JSON of DRAW-v1 (docs/draw-spec.md §2).

Everything a draw hashes is turned into bytes here and nowhere else, so that a
second implementation only has to match this one module's rules: UTF-8 (NFC), TAB
between fields, comma inside list fields, LF after every row, rows sorted by their
bytes, lists sorted and without duplicates.  Because TAB sorts below every
character a field may contain, sorting rows by bytes is the same as sorting them by
their first field, which is unique.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from spotcheck.core.draw.errors import MalformedInputError

__all__ = [
    "ON_DUTY",
    "RISK_CLASSES",
    "VERSION",
    "FrameRow",
    "GroupRow",
    "InspectorRow",
    "Item",
    "SelectionRow",
    "canonical_json",
    "check_date",
    "check_entity_id",
    "check_text",
    "frame_entity_id",
    "frame_line",
    "lines_bytes",
    "parse_canonical_json",
    "parse_decimal",
    "parse_frame_line",
    "parse_group_line",
    "parse_json",
    "parse_opening_line",
    "parse_pool_line",
    "parse_selection_line",
    "pool_line",
    "sort_unique",
    "split_lines",
    "stratum_label",
]

VERSION = "DRAW-v1"
# 信用风险分类 A–D (国市监信发〔2022〕6号) plus U for entities not yet classified.
RISK_CLASSES = ("A", "B", "C", "D", "U")
# The only status that may be drawn (在岗); the slug is the directory's InspectorStatus value.
ON_DUTY = "on_duty"
MAX_TEXT = 200
# 统一社会信用代码 (18 characters) or legacy 注册号 (15 digits).  The check character is
# deliberately not verified: early pilot codes fail it and are still legal (ADR 0003).
ENTITY_ID_RE = re.compile(r"(?:[0-9A-Z]{18}|[0-9]{15})")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL_RE = re.compile(r"(0|[1-9][0-9]{0,5})(\.[0-9]{1,12})?")
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f,]")
# JSON integers must survive any language's double-precision parser unchanged.
_MAX_JSON_INT = 2**53 - 1


def check_text(value: str, what: str, *, allow_empty: bool = False) -> str:
    """Return ``value`` if it is a canonical text field, else raise MalformedInputError."""
    if not isinstance(value, str):
        raise MalformedInputError(f"{what}必须是文本 / {what} must be text")
    if value == "":
        if allow_empty:
            return value
        raise MalformedInputError(f"{what}不能为空 / {what} is empty")
    if len(value) > MAX_TEXT:
        raise MalformedInputError(f"{what}超过{MAX_TEXT}个字符 / {what} is too long")
    if _FORBIDDEN.search(value) or value[0] == " " or value[-1] == " ":
        raise MalformedInputError(
            f"{what}含控制字符、逗号或首尾空格：{value!r} / {what} has a forbidden character"
        )
    if not unicodedata.is_normalized("NFC", value):
        raise MalformedInputError(f"{what}不是NFC规范形式：{value!r} / {what} is not NFC")
    return value


def check_entity_id(value: str) -> str:
    """Return ``value`` if it is an 18-character USCC or a 15-digit 注册号."""
    if not isinstance(value, str) or not ENTITY_ID_RE.fullmatch(value):
        raise MalformedInputError(
            f"检查对象标识应为18位统一社会信用代码或15位注册号：{value!r} / bad entity id"
        )
    return value


def check_date(value: str, what: str) -> str:
    """Return ``value`` if it is an ISO date YYYY-MM-DD that exists in the calendar."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise MalformedInputError(f"{what}应为YYYY-MM-DD：{value!r} / bad date")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise MalformedInputError(f"{what}不是有效日期：{value!r} / bad date") from None
    return value


def parse_decimal(value: str, what: str, *, maximum: int = 1) -> Fraction:
    """Read a plain decimal string ("0.03") exactly; floats never enter a draw."""
    if not isinstance(value, str) or not _DECIMAL_RE.fullmatch(value):
        raise MalformedInputError(f'{what}应为十进制小数文本，如"0.03"：{value!r}')
    exact = Fraction(value)
    if exact > maximum:
        raise MalformedInputError(f"{what}不能大于{maximum}：{value}")
    return exact


def sort_unique(values: Iterable[str], what: str) -> tuple[str, ...]:
    """Return the values sorted by UTF-8 bytes; a duplicate is an error, not merged."""
    ordered = sorted(values)  # code-point order is UTF-8 byte order
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a == b:
            raise MalformedInputError(f"{what}重复：{a} / duplicate {what}")
    return tuple(ordered)


@dataclass(frozen=True)
class Item:
    """An inspection item of the task (抽查事项) and the department that owns it.

    ``qualification`` names the speciality or item-type code an inspector must hold
    to check it ("" when any inspector of the department may).  ``kind`` is
    "key" (重点) or "general" (一般); DRAW-v1 only publishes it.
    """

    code: str
    department: str
    qualification: str = ""
    kind: str = "general"

    def __post_init__(self) -> None:
        check_text(self.code, "事项编码")
        check_text(self.department, "部门编码")
        check_text(self.qualification, "资格要求", allow_empty=True)
        if self.kind not in ("key", "general"):
            raise MalformedInputError(f"事项类别应为key或general：{self.kind!r}")

    def as_json(self) -> dict[str, str]:
        """Return the item as it appears in the announcement."""
        return {
            "code": self.code,
            "department": self.department,
            "kind": self.kind,
            "qualification": self.qualification,
        }


@dataclass(frozen=True)
class FrameRow:
    """One candidate of the frame: who, in which stratum, and which items apply."""

    entity_id: str
    risk_class: str
    stratum_extra: str
    items: tuple[str, ...]

    def __post_init__(self) -> None:
        check_entity_id(self.entity_id)
        if self.risk_class not in RISK_CLASSES:
            raise MalformedInputError(f"信用风险分类应为A/B/C/D/U：{self.risk_class!r}")
        check_text(self.stratum_extra, "分层键值", allow_empty=True)
        if not self.items:
            raise MalformedInputError(f"{self.entity_id}没有适用的抽查事项 / no items")
        for code in self.items:
            check_text(code, "事项编码")
        if tuple(sorted(set(self.items))) != self.items:
            raise MalformedInputError(f"{self.entity_id}的事项须排序且不重复 / items not sorted")

    @classmethod
    def of(
        cls, entity_id: str, risk_class: str, items: Iterable[str], stratum_extra: str = ""
    ) -> FrameRow:
        """Build a row from loose input, sorting the items."""
        return cls(entity_id, risk_class, stratum_extra, sort_unique(items, "事项编码"))


@dataclass(frozen=True)
class InspectorRow:
    """One inspector of the pool, as frozen at the announcement."""

    certificate_no: str
    department: str
    status: str
    valid_from: str
    valid_until: str
    qualifications: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text(self.certificate_no, "执法证号")
        check_text(self.department, "部门编码")
        check_text(self.status, "在岗状态")
        check_date(self.valid_from, "证件有效期起")
        check_date(self.valid_until, "证件有效期止")
        for code in self.qualifications:
            check_text(code, "资格编码")
        if tuple(sorted(set(self.qualifications))) != self.qualifications:
            raise MalformedInputError(f"{self.certificate_no}的资格须排序且不重复")

    @classmethod
    def of(
        cls,
        certificate_no: str,
        department: str,
        status: str,
        valid_from: str,
        valid_until: str,
        qualifications: Iterable[str] = (),
    ) -> InspectorRow:
        """Build a row from loose input, sorting the qualifications."""
        quals = sort_unique(qualifications, "资格编码")
        return cls(certificate_no, department, status, valid_from, valid_until, quals)

    def drawable_on(self, day: str) -> bool:
        """Tell whether the inspector is 在岗 with a certificate valid on ``day`` (inclusive)."""
        # ISO dates compare correctly as strings, which keeps the verifier free of datetime.
        return self.status == ON_DUTY and self.valid_from <= day <= self.valid_until


def stratum_label(risk_class: str, extra: str, *, keyed: bool) -> str:
    """Return the stratum of a row: "D", or "D:130183" when an extra key is declared."""
    return f"{risk_class}:{extra}" if keyed else risk_class


def frame_line(row: FrameRow) -> bytes:
    """Return the canonical bytes of a frame row (no LF)."""
    text = f"{row.entity_id}\t{row.risk_class}\t{row.stratum_extra}\t{','.join(row.items)}"
    return text.encode("utf-8")


def parse_frame_line(line: bytes) -> FrameRow:
    """Read one canonical frame row; the row must re-serialise to the same bytes."""
    fields = _split(line, 4, "名录行")
    items = tuple(fields[3].split(",")) if fields[3] else ()
    row = FrameRow(fields[0], fields[1], fields[2], items)
    return row


def pool_line(row: InspectorRow) -> bytes:
    """Return the canonical bytes of an inspector row (no LF)."""
    text = "\t".join(
        (
            row.certificate_no,
            row.department,
            row.status,
            row.valid_from,
            row.valid_until,
            ",".join(row.qualifications),
        )
    )
    return text.encode("utf-8")


def parse_pool_line(line: bytes) -> InspectorRow:
    """Read one canonical inspector row."""
    f = _split(line, 6, "人员行")
    quals = tuple(f[5].split(",")) if f[5] else ()
    return InspectorRow(f[0], f[1], f[2], f[3], f[4], quals)


def _split(line: bytes, n: int, what: str) -> list[str]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInputError(f"{what}不是UTF-8 / {what} is not UTF-8") from None
    fields = text.split("\t")
    if len(fields) != n:
        raise MalformedInputError(f"{what}应有{n}个字段：{text!r} / wrong field count")
    return fields


def canonical_json(value: Any) -> bytes:
    """Serialise to RFC 8785 (JCS) bytes, restricted to ASCII keys and safe integers.

    With those restrictions Python's sorted, compact, non-ASCII-escaping output is
    byte-identical to JCS, so other languages can use any JCS library.
    """
    _check_json(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _check_json(value: Any) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_JSON_INT:
            raise MalformedInputError(f"JSON整数超出范围：{value}")
        return
    if isinstance(value, list | tuple):
        for v in value:
            _check_json(v)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not k.isascii():
                raise MalformedInputError(f"JSON键须为ASCII文本：{k!r}")
            _check_json(v)
        return
    raise MalformedInputError(f"JSON中不允许的值（如浮点数）：{value!r}")


def lines_bytes(lines: Sequence[bytes]) -> bytes:
    """Join canonical rows into a file: every row followed by LF, nothing else."""
    return b"".join(line + b"\n" for line in lines)


def split_lines(data: bytes, what: str) -> list[bytes]:
    """Split a canonical file into rows; it must be empty or end with LF, without CR."""
    if not data:
        return []
    if not data.endswith(b"\n") or b"\r" in data:
        raise MalformedInputError(f"{what}须以LF结尾且不含CR / {what} line endings")
    lines = data[:-1].split(b"\n")
    return lines


# ------------------------------------------------------------------ readers of the files
# Every file a draw writes is read back through one of these, by the platform and by
# the bundle reader alike; tools/verify_draw.py keeps its own copy on purpose.


def frame_entity_id(line: bytes) -> str:
    """Return the entity id of a canonical frame row without reading the rest of it."""
    return line.split(b"\t", 1)[0].decode("ascii")


def parse_opening_line(line: bytes, what: str = "avoidance_openings.tsv") -> tuple[str, str, bytes]:
    """Read one avoidance opening: (entity id, 执法证号, salt).

    The same rows make avoidance_openings.tsv and the private list it is cut from.
    """
    fields = line.decode("utf-8").split("\t")
    if len(fields) != 3:
        raise MalformedInputError(f"{what}每行应有3个字段")
    return fields[0], fields[1], bytes.fromhex(fields[2])


@dataclass(frozen=True)
class SelectionRow:
    """One row of selection.tsv: a selected or reserve entity of a stratum, in rank order."""

    stratum: str
    kind: str
    position: int
    entity_id: str
    rank: bytes


def parse_selection_line(line: bytes) -> SelectionRow:
    """Read one row of selection.tsv (stratum, selected/reserve, position, entity, rank)."""
    stratum, kind, position, entity_id, rank = _split(line, 5, "selection.tsv行")
    return SelectionRow(stratum, kind, int(position), entity_id, bytes.fromhex(rank))


@dataclass(frozen=True)
class GroupRow:
    """One seat of groups.tsv (or final_groups.tsv); ``slot`` 0 is the group's leader."""

    position: int
    entity_id: str
    slot: int
    department: str
    certificate_no: str
    role: str
    covers: tuple[str, ...]


def parse_group_line(line: bytes) -> GroupRow:
    """Read one row of groups.tsv (or final_groups.tsv)."""
    position, entity_id, slot, department, certificate_no, role, covers = _split(
        line, 7, "groups.tsv行"
    )
    return GroupRow(
        int(position),
        entity_id,
        int(slot),
        department,
        certificate_no,
        role,
        tuple(covers.split(",")) if covers else (),
    )


def parse_json(data: bytes | str, name: str) -> Any:
    """Read a JSON file of the draw (announcement, result, reveals, final) as stored."""
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedInputError(f"{name}不是有效的JSON / {name} is not JSON") from None


def parse_canonical_json(data: bytes, name: str) -> Any:
    """Read a JSON file of a bundle strictly: it must be the canonical JSON of its value."""
    value = parse_json(data, name)
    if canonical_json(value) != data:
        raise MalformedInputError(f"{name}不是规范JSON / {name} is not canonical")
    return value
