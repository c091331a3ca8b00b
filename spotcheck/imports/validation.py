"""Check one row of an import file and turn it into the values to stage.

Every reason is Chinese and names the column; values are normalised only where that is
unambiguous (full-width characters and lower case in codes), everything else is
refused. Rules that need the database (duplicates, matching, scope over existing
records) run later in SQL, see ``staging.py``.
"""

from __future__ import annotations

import abc
import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from spotcheck.accounts.models import Department, Region
from spotcheck.core.masking import phone_error
from spotcheck.core.uscc import UsccStatus, validate_reg_no, validate_uscc
from spotcheck.directory.choices import (
    EntityType,
    Gender,
    InspectorCategory,
    InspectorStatus,
    RegStatus,
    RiskClass,
    RiskSource,
)
from spotcheck.directory.models import Entity, Inspector, ItemType, Speciality, Tag
from spotcheck.imports.cells import (
    CodeColumn,
    code_cell_problem,
    digits,
    looks_like_lost_digits,
    text_cell_problem,
    visible,
)
from spotcheck.imports.columns import ImportColumn, columns_for, header_key
from spotcheck.imports.readers import RawRow, UnreadableFile

# Same rule as Entity.clean (GB/T 4754: section letter and 2 to 4 digits).
_INDUSTRY_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SHORT_YEAR_RE = re.compile(r"^\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$")
_LIST_SPLIT = re.compile(r"[；;\n]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}


@dataclass(frozen=True)
class Issue:
    """A reason a row was rejected (or, with ``warning``, imported with a remark)."""

    row_no: int
    column: str
    value: str
    reason: str
    warning: bool = False


@dataclass(frozen=True)
class Scope:
    """Which departments an import may touch (None: all) and the default department."""

    department_ids: frozenset[int] | None = None
    default_department_id: int | None = None


class CellError(Exception):
    """A cell's value is not acceptable; the message says why, in Chinese."""


@dataclass
class RowResult:
    values: tuple[Any, ...] | None
    links: dict[str, list[int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


# --- cell parsers ------------------------------------------------------------------


def _code(raw: str) -> str:
    if not raw.isascii():
        raw = unicodedata.normalize("NFKC", raw)
    return "".join(raw.split()).upper()


def parse_date(raw: str) -> dt.date:
    """Parse a date as officials write it: 2019-03-15, 2019/3/15, 2019.3.15, 2019年3月15日."""
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass  # said precisely below
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CellError(f"不存在的日期“{raw}”") from None
    if _SHORT_YEAR_RE.match(text):
        raise CellError(
            "年份只有两位：表格软件按“yy年m月d日”显示了日期，无法确定世纪。请将日期列设为"
            "“yyyy-mm-dd”或“yyyy年m月d日”格式后重新保存"
        )
    raise CellError("日期格式不正确，应为 2019-03-15 这样的格式")


def _bool(raw: str) -> bool:
    if raw == "否":
        return False
    if raw == "是":
        return True
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("应填写“是”或“否”")


def _choice_map(choices: type[models.TextChoices]) -> dict[str, str]:
    """Accept the stored value, the Chinese label, and each part of a label like 存续（在业）."""
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        names = {value, str(label)}
        names.update(p for p in re.split(r"[（）()]", str(label)) if p.strip())
        for name in names:
            mapping[_choice_key(name)] = value
            mapping[name] = value  # as typed, so the common case needs no normalising
    return mapping


def _choice_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _risk_map() -> dict[str, str]:
    mapping = _choice_map(RiskClass)
    for value, label in RiskClass.choices:
        mapping[_choice_key(f"{value}类")] = value
        mapping[_choice_key(str(label).split()[0])] = value
    return mapping


def _choice(raw: str, mapping: dict[str, str], choices: type[models.TextChoices]) -> str:
    value = mapping.get(raw) or mapping.get(_choice_key(raw))
    if value is None:
        raise CellError(f"不是有效的选项，可填：{_labels(choices)}")
    return value


def _labels(choices: type[models.TextChoices]) -> str:
    return "、".join(str(label) for label in choices.labels)


def _names(raw: str) -> list[str]:
    if "；" not in raw and ";" not in raw and "\n" not in raw:
        return [raw] if raw else []
    return [part.strip() for part in _LIST_SPLIT.split(raw) if part.strip()]


def _max_length(model: type[models.Model], name: str) -> int:
    length = model._meta.get_field(name).max_length
    assert length is not None  # noqa: S101 - every text field here has one
    return int(length)


def _decimal(raw: str) -> Decimal:
    text = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not value.is_finite() or value < 0:
        raise CellError("应为不小于0的数字")
    if value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
        raise CellError("最多12位整数、2位小数")
    return value.quantize(Decimal("0.01"))


# --- the validators ----------------------------------------------------------------


class RowValidator(abc.ABC):
    """Check rows of one kind against the header and the platform's reference data."""

    kind = ""
    model: type[models.Model]
    stage_columns: list[tuple[str, str]] = []
    link_names: tuple[str, ...] = ()
    text_fields: dict[str, str] = {}
    # columns of codes and number-like identifiers, and of Chinese names and addresses
    # (see ``cells.py`` for what a spreadsheet or a code page does to them)
    code_columns: dict[str, CodeColumn] = {}
    chinese_columns: frozenset[str] = frozenset()

    def __init__(self, header: list[str], scope: Scope, today: dt.date) -> None:
        self.scope = scope
        self.today = today
        self.columns = columns_for(self.kind)
        self.messages: list[str] = []
        by_key = {header_key(c.header): c for c in self.columns}
        self.index: dict[str, int] = {}
        self.headers: dict[str, str] = {c.field: c.header for c in self.columns}
        unknown = []
        for position, name in enumerate(header):
            key = header_key(name)
            if not key:
                continue
            column = by_key.get(key)
            if column is None:
                unknown.append(str(name).strip())
            elif column.field in self.index:
                raise UnreadableFile(f"表头中“{column.header}”出现了不止一次")
            else:
                self.index[column.field] = position
        if unknown:
            shown = "、".join(f"“{u[:30]}”" for u in unknown[:20])
            more = f"等{len(unknown)}列" if len(unknown) > 20 else ""
            self.messages.append(f"未识别的列已忽略：{shown}{more}")
        self.header_width = len(header)
        missing = [c.header for c in self._required_columns() if c.field not in self.index]
        if missing:
            raise UnreadableFile(
                f"缺少必需的列：{'、'.join(missing)}。请使用下载的导入模板（列的顺序可以不同）"
            )
        self._load_reference_data()

    def _required_columns(self) -> list[ImportColumn]:
        return [c for c in self.columns if c.required]

    def _load_reference_data(self) -> None:
        departments = Department.objects.values_list("pk", "name", "is_active")
        self.departments = {name.strip(): (pk, active) for pk, name, active in departments}

    def present(self, field_name: str) -> bool:
        return field_name in self.index

    @abc.abstractmethod
    def updatable_columns(self) -> list[str]:
        """Return the stage columns that a matched record takes from the file."""

    def validate(self, raw: RawRow) -> RowResult | None:
        """Check a row; None means it was blank and is skipped."""
        cells = raw.cells
        if not any(c.strip() for c in cells):
            return None
        issues: list[Issue] = []
        if len(cells) > self.header_width and any(c.strip() for c in cells[self.header_width :]):
            issues.append(
                Issue(
                    raw.row_no,
                    "",
                    f"共{len(cells)}列",
                    f"该行有{len(cells)}列，多于表头的{self.header_width}列，请检查是否错位",
                )
            )
            return RowResult(None, issues=issues)
        for position in raw.formula_columns:
            if position < self.header_width:
                issues.append(
                    Issue(
                        raw.row_no,
                        str(self._header_at(position)),
                        cells[position][:200],
                        "单元格是公式，导入不计算公式：请在 Excel 中复制后“选择性粘贴为数值”再导入",
                    )
                )
        if issues:
            return RowResult(None, issues=issues)
        issues, warnings = self._damaged_cells(raw)
        if issues:
            return RowResult(None, issues=issues)
        row = _Row(raw.row_no, cells, self.index, self.headers)
        values, links = self._validate(row)
        if row.issues or values is None:
            return RowResult(None, issues=row.issues)
        return RowResult(values, links, [*warnings, *row.warnings])

    def _damaged_cells(self, raw: RawRow) -> tuple[list[Issue], list[Issue]]:
        """Find cells a spreadsheet turned into numbers or a code page into ``?``."""
        issues: list[Issue] = []
        warnings: list[Issue] = []
        numbers = set(raw.number_columns)
        cells = raw.cells
        for field_name, position in self.index.items():
            text = cells[position].strip() if position < len(cells) else ""
            if not text:
                continue
            header = self.headers[field_name]
            column = self.code_columns.get(field_name)
            if column is not None:
                reason, warning = code_cell_problem(text, column, number_cell=position in numbers)
                if reason:
                    found = warnings if warning else issues
                    found.append(Issue(raw.row_no, header, text[:200], reason, warning))
            if reason := text_cell_problem(text, chinese=field_name in self.chinese_columns):
                issues.append(Issue(raw.row_no, header, visible(text[:200]), reason))
        return issues, warnings

    def _header_at(self, position: int) -> str:
        for field_name, index in self.index.items():
            if index == position:
                return self.headers[field_name]
        return f"第{position + 1}列"

    @abc.abstractmethod
    def _validate(self, row: _Row) -> tuple[tuple[Any, ...] | None, dict[str, list[int]]]:
        """Turn a row into its staging tuple and its links, recording every problem."""

    def _department(self, row: _Row, field_name: str, name: str) -> int | None:
        found = self.departments.get(name)
        if found is None:
            row.error(field_name, f"平台中没有名为“{name}”的部门（须填写部门全称）", name)
            return None
        pk, active = found
        if not active:
            row.error(field_name, f"部门“{name}”已停用", name)
            return None
        return pk


class _Row:
    """Accessors for one row's cells that collect issues instead of raising."""

    __slots__ = ("row_no", "values", "headers", "issues", "warnings")

    def __init__(
        self, row_no: int, cells: list[str], index: dict[str, int], headers: dict[str, str]
    ) -> None:
        self.row_no = row_no
        width = len(cells)
        self.values = {
            name: cells[position].strip() if position < width else ""
            for name, position in index.items()
        }
        for name, value in self.values.items():
            # an exported cell was neutralised with a leading apostrophe; undo that
            if value[:1] == "'" and value[1:2] and value[1:2] in _FORMULA_START:
                self.values[name] = value[1:]
        self.headers = headers
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []

    def raw(self, field_name: str) -> str:
        return self.values.get(field_name, "")

    def error(self, field_name: str, reason: str, value: str | None = None) -> None:
        shown = self.raw(field_name) if value is None else value
        self.issues.append(Issue(self.row_no, self.headers[field_name], shown[:200], reason))

    def warn(self, field_name: str, reason: str) -> None:
        self.warnings.append(
            Issue(self.row_no, self.headers[field_name], self.raw(field_name)[:200], reason, True)
        )

    def text(self, field_name: str, max_length: int, *, required: bool = False) -> str:
        value = self.raw(field_name)
        if not value:
            if required:
                self.error(field_name, "必填项，不能为空")
            return ""
        if len(value) > max_length:
            self.error(field_name, f"不能超过{max_length}个字符（当前{len(value)}个）")
        return value

    def phone(self, field_name: str, max_length: int) -> str:
        value = self.text(field_name, max_length)
        message = phone_error(value)
        if message:
            self.error(field_name, message)
        return value

    def parsed(self, field_name: str, parse: Any, *, required: bool = False) -> Any:
        value = self.raw(field_name)
        if not value:
            if required:
                self.error(field_name, "必填项，不能为空")
            return None
        try:
            return parse(value)
        except CellError as exc:
            self.error(field_name, str(exc))
            return None

    def ids(self, field_name: str, lookup: dict[str, int], what: str) -> list[int]:
        found: list[int] = []
        unknown: list[str] = []
        for name in _names(self.raw(field_name)):
            pk = lookup.get(name) or lookup.get(name.lower())
            if pk is None:
                unknown.append(name)
            elif pk not in found:
                found.append(pk)
        if unknown:
            self.error(field_name, f"平台中没有以下{what}：{'、'.join(unknown)}")
        return found


def _lookup(pairs: Iterable[tuple[int, str, str]]) -> dict[str, int]:
    """Map names and (lower-cased) codes of reference rows to their ids."""
    mapping: dict[str, int] = {}
    for pk, code, name in pairs:
        mapping[code.lower()] = pk
        mapping[name.strip()] = pk
    return mapping


_ENTITY_TYPES = _choice_map(EntityType)
_REG_STATUSES = _choice_map(RegStatus)
_RISK_CLASSES = _risk_map()
_RISK_SOURCES = _choice_map(RiskSource)
_GENDERS = _choice_map(Gender)
_CATEGORIES = _choice_map(InspectorCategory)
_STATUSES = _choice_map(InspectorStatus)


class EntityValidator(RowValidator):
    """Rows of 检查对象名录库; keyed by 统一社会信用代码, else by 注册号."""

    kind = "entities"
    model = Entity
    link_names = ("departments", "tags")
    stage_columns = [
        ("row_no", "int"),
        ("key", "text"),
        ("uscc", "text"),
        ("uscc_override_reason", "text"),
        ("reg_no", "text"),
        ("name", "text"),
        ("entity_type", "text"),
        ("enterprise_type_code", "text"),
        ("legal_rep_name", "text"),
        ("legal_rep_phone", "text"),
        ("liaison_name", "text"),
        ("liaison_phone", "text"),
        ("address", "text"),
        ("region_id", "bigint"),
        ("business_address", "text"),
        ("reg_authority_code", "text"),
        ("reg_authority_name", "text"),
        ("jurisdiction_unit", "text"),
        ("industry_code", "text"),
        ("licences", "text"),
        ("established_on", "date"),
        ("reg_capital", "decimal"),
        ("reg_status", "text"),
        ("risk_class", "text"),
        ("risk_source", "text"),
        ("risk_as_of", "date"),
        ("on_abnormal_list", "bool"),
        ("on_serious_illegal_list", "bool"),
    ]
    # columns a new record gets that no import column fills
    insert_defaults = {"legal_rep_id_type": "resident_id", "legal_rep_id_masked": ""}
    code_columns = {
        "uscc": CodeColumn(strict=True),
        "reg_no": CodeColumn(digits(15), strict=True),
        "region": CodeColumn(digits(6), strict=True),
        "reg_authority_code": CodeColumn(digits(6)),
        "enterprise_type_code": CodeColumn(digits(4)),
        "legal_rep_phone": CodeColumn(digits(11, "1")),
        "liaison_phone": CodeColumn(digits(11, "1")),
    }
    chinese_columns = frozenset(
        {
            "name",
            "legal_rep_name",
            "liaison_name",
            "address",
            "business_address",
            "reg_authority_name",
            "jurisdiction_unit",
            "licences",
        }
    )
    _field_to_column = {"region": "region_id", "uscc": "uscc_override_reason"}

    def _required_columns(self) -> list[ImportColumn]:
        required = super()._required_columns()
        if self.scope.default_department_id is not None:
            required = [c for c in required if c.field != "supervising_departments"]
        return required

    def __init__(self, header: list[str], scope: Scope, today: dt.date) -> None:
        super().__init__(header, scope, today)
        if not (self.present("uscc") or self.present("reg_no")):
            raise UnreadableFile("缺少必需的列：统一社会信用代码（或注册号）")
        if self.present("risk_class") and not (
            self.present("risk_source") and self.present("risk_as_of")
        ):
            raise UnreadableFile("有“信用风险分类”列时，须同时有“分类来源”和“分类日期”列")

    def _load_reference_data(self) -> None:
        super()._load_reference_data()
        self.regions = dict(Region.objects.values_list("code", "pk"))
        self.tags = _lookup(Tag.objects.values_list("pk", "code", "name"))
        self.lengths = {
            name: _max_length(Entity, name)
            for name, kind in self.stage_columns
            if kind == "text" and name != "key"
        }
        self._prepare_fast()

    def updatable_columns(self) -> list[str]:
        present = set()
        for name in self.index:
            present.add(name)
            if name in self._field_to_column:
                present.add(self._field_to_column[name])
        return [
            name
            for name, _ in self.stage_columns
            if name in present and name not in ("row_no", "key")
        ]

    def _validate(self, row: _Row) -> tuple[tuple[Any, ...] | None, dict[str, list[int]]]:
        length = self.lengths
        uscc, override, reg_no = self._codes(row)
        region_id, industry, established = self._registration(row)
        risk_class = self._risk(row)
        values = (
            row.row_no,
            uscc or f"R{reg_no}",
            uscc or None,
            override,
            reg_no,
            row.text("name", length["name"], required=True),
            row.parsed(
                "entity_type",
                lambda v: _choice(v, _ENTITY_TYPES, EntityType),
                required=True,
            ),
            row.text("enterprise_type_code", length["enterprise_type_code"]),
            row.text("legal_rep_name", length["legal_rep_name"], required=True),
            row.phone("legal_rep_phone", length["legal_rep_phone"]),
            row.text("liaison_name", length["liaison_name"]),
            row.phone("liaison_phone", length["liaison_phone"]),
            row.text("address", length["address"], required=True),
            region_id,
            row.text("business_address", length["business_address"]),
            row.text("reg_authority_code", length["reg_authority_code"]),
            row.text("reg_authority_name", length["reg_authority_name"], required=True),
            row.text("jurisdiction_unit", length["jurisdiction_unit"]),
            industry,
            row.text("licences", length["licences"]),
            established,
            row.parsed("reg_capital", _decimal),
            row.parsed("reg_status", lambda v: _choice(v, _REG_STATUSES, RegStatus))
            or RegStatus.ACTIVE.value,
            risk_class,
            risk_class
            and row.parsed(
                "risk_source",
                lambda v: _choice(v, _RISK_SOURCES, RiskSource),
                required=True,
            )
            or "",
            risk_class and row.parsed("risk_as_of", parse_date, required=True) or None,
            bool(row.parsed("on_abnormal_list", _bool)),
            bool(row.parsed("on_serious_illegal_list", _bool)),
        )
        links = {"departments": self._departments(row)}
        if self.present("tags"):
            links["tags"] = row.ids("tags", self.tags, "分类标签")
        return values, links

    def _codes(self, row: _Row) -> tuple[str, str, str]:
        """The 统一社会信用代码 with its override reason, and the 注册号 (one of them is due)."""
        uscc, override = self._uscc(row)
        reg_no = ""
        if row.raw("reg_no"):
            reg_no = _code(row.raw("reg_no"))
            if message := validate_reg_no(reg_no):
                row.error("reg_no", message)
        if not uscc and not reg_no and "uscc" not in {i.column for i in row.issues}:
            field_name = "uscc" if self.present("uscc") else "reg_no"
            row.error(field_name, "统一社会信用代码和注册号至少填写一项")
        return uscc, override, reg_no

    def _registration(self, row: _Row) -> tuple[int | None, str, dt.date | None]:
        """The region's id, the industry code and the founding date (not after today)."""
        region_code = _code(row.raw("region"))
        region_id = self.regions.get(region_code)
        if not region_code:
            row.error("region", "必填项，不能为空")
        elif region_id is None:
            row.error("region", f"平台中没有行政区划代码“{region_code}”")
        industry = _code(row.raw("industry_code"))
        if industry and not _INDUSTRY_RE.match(industry):
            row.error("industry_code", "行业代码应为门类字母加2至4位数字，如 J6639")
        established = row.parsed("established_on", parse_date)
        if established and established > self.today:
            row.error("established_on", "成立日期不能晚于今天")
        return region_id, industry, established

    # fields in the order ``fast`` unpacks them; absent columns read as ""
    _FAST_FIELDS = (
        "uscc", "uscc_override_reason", "reg_no", "name", "entity_type",
        "enterprise_type_code", "legal_rep_name", "legal_rep_phone", "liaison_name",
        "liaison_phone", "address", "region", "business_address", "reg_authority_code",
        "reg_authority_name", "jurisdiction_unit", "industry_code", "licences",
        "established_on", "reg_capital", "reg_status", "risk_class", "risk_source",
        "risk_as_of", "on_abnormal_list", "on_serious_illegal_list",
        "supervising_departments", "tags",
    )  # fmt: skip

    def _prepare_fast(self) -> None:
        positions = [self.index.get(name, -1) for name in self._FAST_FIELDS]
        self._fast_cells = operator.itemgetter(*positions)
        # a stripped cell longer than its field (or, for codes, than any valid code)
        # needs the slow path, which says so
        self._fast_limits = tuple(self.lengths.get(name, 1 << 30) for name in self._FAST_FIELDS)
        self._region_texts = {code: str(pk) for code, pk in self.regions.items()}
        self._fast_has_tags = self.present("tags")
        self._dates = _Memo()
        self._department_sets = _Memo()
        self._tag_sets = _Memo()

    def fast_line(self, raw: RawRow) -> tuple[str, dict[str, str]] | None:
        """Check an unremarkable row quickly; return its COPY line and its links' lines.

        The line is exactly what ``_validate`` followed by COPY text encoding gives; any
        row that is not plainly valid (or needs escaping) returns None instead.
        """
        texts = self._fast_texts(raw)
        if texts is None:
            return None
        (
            uscc, override, reg_no, name, entity_type, enterprise_type_code, legal_rep_name,
            legal_rep_phone, liaison_name, liaison_phone, address, region, business_address,
            reg_authority_code, reg_authority_name, jurisdiction_unit, industry, licences,
            established_on, reg_capital, reg_status, risk_class, risk_source, risk_as_of,
            abnormal, serious, departments, tags,
        ) = texts  # fmt: skip
        if not (name and legal_rep_name and address and reg_authority_name):
            return None
        odd = legal_rep_phone + liaison_phone + reg_authority_code + enterprise_type_code
        if not _fast_plain_codes(uscc, reg_no, odd):
            return None
        choices = self._fast_choices(region, entity_type, reg_status, abnormal, serious, industry)
        if choices is None:
            return None
        region_id, kind, status, on_abnormal, on_serious = choices
        amounts = self._fast_date_and_capital(established_on, reg_capital)
        if amounts is None:
            return None
        established, capital = amounts
        risk = self._fast_risk(risk_class, risk_source, risk_as_of)
        if risk is None:
            return None
        risk_class, source, as_of = risk
        row = str(raw.row_no)
        links = self._fast_links(row, departments, tags)
        if links is None:
            return None
        line = "\t".join(
            (
                row, uscc or f"R{reg_no}", uscc or "\\N", "", reg_no, name, kind,
                enterprise_type_code, legal_rep_name, legal_rep_phone, liaison_name,
                liaison_phone, address, region_id, business_address, reg_authority_code,
                reg_authority_name, jurisdiction_unit, industry, licences, established,
                capital, status, risk_class, source, as_of, on_abnormal, on_serious,
            )
        )  # fmt: skip
        return line + "\n", links

    def _fast_texts(self, raw: RawRow) -> list[str] | None:
        """The row's stripped cells in ``_FAST_FIELDS`` order, or None when any is unusual.

        Unusual: a formula or a number cell, a short row, text past the header, a cell
        longer than its field, or a character that needs escaping.
        """
        cells = raw.cells
        width = self.header_width
        if raw.formula_columns or raw.number_columns or len(cells) < width:
            return None
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            return None
        texts = list(map(str.strip, self._fast_cells([*cells, ""])))
        if any(map(int.__lt__, self._fast_limits, map(len, texts))):
            return None
        if _UNUSUAL.search("".join(texts)):
            return None
        return texts

    def _fast_choices(
        self, region: str, entity_type: str, reg_status: str, abnormal: str, serious: str,
        industry: str,
    ) -> tuple[str, str, str, str, str] | None:  # fmt: skip
        """The region id, the entity type, the status and the two list flags, as COPY text."""
        region_id = self._region_texts.get(region)
        kind = _ENTITY_TYPES.get(entity_type)
        status = _REG_STATUSES.get(reg_status) if reg_status else RegStatus.ACTIVE.value
        on_abnormal = _FAST_BOOLS.get(abnormal)
        on_serious = _FAST_BOOLS.get(serious)
        if region_id is None or kind is None or status is None:
            return None
        if on_abnormal is None or on_serious is None:
            return None
        if industry and not _INDUSTRY_RE.match(industry):
            return None
        return region_id, kind, status, on_abnormal, on_serious

    def _fast_date_and_capital(
        self, established_on: str, reg_capital: str
    ) -> tuple[str, str] | None:
        """The founding date (not after today) and the registered capital, as COPY text."""
        established = "\\N"
        if established_on:
            found = self._fast_date(established_on)
            if found is None or found[0] > self.today:
                return None
            established = found[1]
        capital = "\\N"
        if reg_capital:
            try:
                capital = str(_decimal(reg_capital))
            except CellError:
                return None
        return established, capital

    def _fast_risk(
        self, risk_class: str, risk_source: str, risk_as_of: str
    ) -> tuple[str, str, str] | None:
        """The risk class with its source and date (all three or none), as COPY text."""
        if not risk_class:
            return "", "", "\\N"
        value = _RISK_CLASSES.get(risk_class)
        source = _RISK_SOURCES.get(risk_source)
        found = self._fast_date(risk_as_of) if risk_as_of else None
        if value is None or not source or found is None:
            return None
        return value, source, found[1]

    def _fast_links(self, row: str, departments: str, tags: str) -> dict[str, str] | None:
        """The COPY lines of the row's department links and (with the column) tag links."""
        department_parts = self._fast_departments(departments)
        if department_parts is None:
            return None
        links = {"departments": "".join([row + part for part in department_parts])}
        if self._fast_has_tags:
            tag_parts = self._fast_tags(tags)
            if tag_parts is None:
                return None
            links["tags"] = "".join([row + part for part in tag_parts])
        return links

    def _fast_date(self, text: str) -> tuple[dt.date, str] | None:
        found = self._dates.get(text)
        if found is None:
            try:
                date = parse_date(text)
            except CellError:
                return None
            found = self._dates.put(text, (date, date.isoformat()))
        return found  # type: ignore[no-any-return]

    def _fast_departments(self, text: str) -> list[str] | None:
        """Return the '\\t<id>\\n' endings of a row's department links, or None."""
        if not text:
            default = self.scope.default_department_id
            return None if default is None else [f"\t{default}\n"]
        found = self._department_sets.get(text)
        if found is None:
            ids: list[int] = []
            for name in _names(text):
                pk, active = self.departments.get(name, (None, False))
                if pk is None or not active:
                    return None
                if pk not in ids:
                    ids.append(pk)
            if not ids:
                return None
            found = self._department_sets.put(text, [f"\t{pk}\n" for pk in ids])
        return found  # type: ignore[no-any-return]

    def _fast_tags(self, text: str) -> list[str] | None:
        found = self._tag_sets.get(text)
        if found is None:
            ids: list[int] = []
            for name in _names(text):
                pk = self.tags.get(name) or self.tags.get(name.lower())
                if pk is None:
                    return None
                if pk not in ids:
                    ids.append(pk)
            found = self._tag_sets.put(text, [f"\t{pk}\n" for pk in ids])
        return found  # type: ignore[no-any-return]

    def _uscc(self, row: _Row) -> tuple[str, str]:
        raw = row.raw("uscc")
        reason = row.text("uscc_override_reason", _max_length(Entity, "uscc_override_reason"))
        if not raw:
            return "", ""
        result = validate_uscc(_code(raw))
        if result.status is UsccStatus.MALFORMED:
            row.error("uscc", result.message)
        elif result.status is UsccStatus.CHECK_FAILED:
            if looks_like_lost_digits(result.code):
                # never invite a forced save of a code a spreadsheet cut short
                row.error(
                    "uscc",
                    "统一社会信用代码校验位不符，且全为数字、末尾是一串0：这通常是表格软件把代码"
                    "当作数字，丢失了末尾数字。请将此列设为“文本”后重新填写原代码",
                )
                return result.code, ""
            if not reason:
                row.error(
                    "uscc",
                    f"统一社会信用代码校验位不符（应为{result.expected_check}，实为"
                    f"{result.code[17]}）；如确为早期试点代码，请在“校验位不符保存理由”列填写理由",
                )
            return result.code, reason
        return result.code, ""

    def _risk(self, row: _Row) -> str:
        raw = row.raw("risk_class")
        if not raw:
            return ""
        value = _RISK_CLASSES.get(_choice_key(raw))
        if value is None:
            row.error("risk_class", "信用风险分类应为 A、B、C、D 之一，或留空")
            return ""
        return value

    def _departments(self, row: _Row) -> list[int]:
        names = _names(row.raw("supervising_departments"))
        if not names:
            if self.scope.default_department_id is not None:
                return [self.scope.default_department_id]
            row.error("supervising_departments", "必填项，至少填写一个监管部门")
            return []
        ids: list[int] = []
        for name in names:
            pk = self._department(row, "supervising_departments", name)
            if pk is not None and pk not in ids:
                ids.append(pk)
        return ids


class InspectorValidator(RowValidator):
    """Rows of 执法检查人员名录库; keyed by 执法证号."""

    kind = "inspectors"
    model = Inspector
    link_names = ("specialities", "item_types")
    stage_columns = [
        ("row_no", "int"),
        ("key", "text"),
        ("certificate_no", "text"),
        ("name", "text"),
        ("gender", "text"),
        ("phone", "text"),
        ("department_id", "bigint"),
        ("unit", "text"),
        ("post", "text"),
        ("category", "text"),
        ("certificate_authority", "text"),
        ("certificate_valid_from", "date"),
        ("certificate_valid_until", "date"),
        ("status", "text"),
        ("is_expert", "bool"),
        ("expert_field", "text"),
        ("expert_org", "text"),
    ]
    insert_defaults = {"id_masked": ""}
    code_columns = {
        "certificate_no": CodeColumn(),
        "phone": CodeColumn(digits(11, "1")),
    }
    chinese_columns = frozenset(
        {"name", "unit", "post", "certificate_authority", "expert_field", "expert_org"}
    )

    def _required_columns(self) -> list[ImportColumn]:
        required = super()._required_columns()
        if self.scope.default_department_id is not None:
            required = [c for c in required if c.field != "department"]
        return required

    def _load_reference_data(self) -> None:
        super()._load_reference_data()
        self.specialities = _lookup(Speciality.objects.values_list("pk", "code", "name"))
        self.item_types = _lookup(ItemType.objects.values_list("pk", "code", "name"))
        self.lengths = {
            name: _max_length(Inspector, name)
            for name, kind in self.stage_columns
            if kind == "text" and name != "key"
        }

    def updatable_columns(self) -> list[str]:
        # without a 所属部门 column, new people go to the default department and the
        # department of people already in the directory stays as it is
        present = {"department_id" if n == "department" else n for n in self.index}
        return [
            name
            for name, _ in self.stage_columns
            if name in present and name not in ("row_no", "key")
        ]

    def _validate(self, row: _Row) -> tuple[tuple[Any, ...] | None, dict[str, list[int]]]:
        length = self.lengths
        certificate = _code(row.raw("certificate_no"))
        if not certificate:
            row.error("certificate_no", "必填项，不能为空")
        elif len(certificate) > length["certificate_no"]:
            row.error("certificate_no", f"不能超过{length['certificate_no']}个字符")
        valid_from = row.parsed("certificate_valid_from", parse_date, required=True)
        valid_until = row.parsed("certificate_valid_until", parse_date, required=True)
        if valid_from and valid_until:
            if valid_until < valid_from:
                row.error("certificate_valid_until", "证件有效期截止日期不能早于起始日期")
            elif valid_until < self.today:
                row.warn(
                    "certificate_valid_until",
                    f"执法证已于{valid_until.isoformat()}过期：照常导入，过期期间该人员不会被抽取",
                )
        is_expert = bool(row.parsed("is_expert", _bool))
        expert_field = row.text("expert_field", length["expert_field"])
        if is_expert and self.present("expert_field") and not expert_field:
            row.error("expert_field", "专家须填写专家领域")
        values = (
            row.row_no,
            certificate,
            certificate,
            row.text("name", length["name"], required=True),
            row.parsed("gender", lambda v: _choice(v, _GENDERS, Gender)) or "",
            row.phone("phone", length["phone"]),
            self._department_id(row),
            row.text("unit", length["unit"]),
            row.text("post", length["post"]),
            row.parsed(
                "category",
                lambda v: _choice(v, _CATEGORIES, InspectorCategory),
                required=True,
            ),
            row.text("certificate_authority", length["certificate_authority"], required=True),
            valid_from,
            valid_until,
            row.parsed("status", lambda v: _choice(v, _STATUSES, InspectorStatus))
            or InspectorStatus.ON_DUTY.value,
            is_expert,
            expert_field,
            row.text("expert_org", length["expert_org"]),
        )
        links = {}
        if self.present("specialities"):
            links["specialities"] = row.ids("specialities", self.specialities, "业务专长")
        if self.present("item_types"):
            links["item_types"] = row.ids("item_types", self.item_types, "事项类别")
        return values, links

    def _department_id(self, row: _Row) -> int | None:
        name = row.raw("department")
        if not name:
            if self.scope.default_department_id is None:
                row.error("department", "必填项，不能为空")
            return self.scope.default_department_id
        pk = self._department(row, "department", name)
        allowed = self.scope.department_ids
        if pk is not None and allowed is not None and pk not in allowed:
            row.error("department", f"无权导入其他部门的人员：“{name}”不在您的部门范围内")
        return pk


VALIDATORS: dict[str, type[RowValidator]] = {
    "entities": EntityValidator,
    "inspectors": InspectorValidator,
}


def validator_for(kind: str, header: list[str], scope: Scope, today: dt.date) -> RowValidator:
    return VALIDATORS[kind](header, scope, today)


# --- the fast path -----------------------------------------------------------------
#
# Most rows of a big file are fine. ``EntityValidator.fast`` checks a row with plain
# lookups and returns the same values ``_validate`` would, or None as soon as anything
# is unusual (an error, a value needing normalisation, a formula, an apostrophe); the
# row then goes through ``validate``, which says exactly what is wrong. So the fast
# path never decides that a row is wrong, and never accepts a row ``validate`` refuses.

_FAST_USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", re.ASCII)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# bytes.translate table: each character of the alphabet to its value
_USCC_BYTES = bytes(
    _USCC_ALPHABET.index(chr(b)) if chr(b) in _USCC_ALPHABET else 0 for b in range(256)
)
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# an apostrophe, what COPY text must escape, a control character, or what a code page
# leaves of a character it could not write
_UNUSUAL = re.compile("['\\\\\t\n\r?\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FAST_BOOLS = {"是": "t", "否": "f", "": "f"}
_CACHE_LIMIT = 20_000  # entries per memo below; keeps memory flat on any file


def _fast_uscc(code: str) -> bool:
    """Tell whether ``code`` is an upper-case, well-formed 统一社会信用代码 whose check fits."""
    if len(code) != 18 or not _FAST_USCC_RE.fullmatch(code):
        return False
    total = sum(map(operator.mul, code[:17].encode().translate(_USCC_BYTES), _USCC_WEIGHTS))
    return code[17] == _USCC_ALPHABET[(31 - total % 31) % 31]


def _fast_plain_codes(uscc: str, reg_no: str, odd: str) -> bool:
    """Tell whether the row's codes need no word from the slow path.

    ``odd`` is the number-like codes run together: E notation in one, or a masked
    phone number, makes the slow path say what the spreadsheet did, or that the number
    must be whole. A 统一社会信用代码 must be plainly valid, a 注册号 15 digits, and one of
    the two must be there.
    """
    if "E" in odd or "e" in odd or "*" in odd or "＊" in odd:
        return False
    if uscc and not _fast_uscc(uscc):
        return False
    if reg_no and not (len(reg_no) == 15 and reg_no.isascii() and reg_no.isdigit()):
        return False
    return bool(uscc or reg_no)


class _Memo(dict[str, Any]):
    """A small bounded memo of parsed cell values (dates, departments, tags, choices)."""

    def put(self, key: str, value: Any) -> Any:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[key] = value
        return value
