"""The item catalogue as a spreadsheet: export to XLSX/CSV, and read such a file back.

One row per item; its 检查内容 are the lines of one cell, lists (抽查方式, 对象类型,
标签, 结果选项) are separated by "；".  An exported file can be edited and imported
again.  Reading reuses the directory import's readers (``spotcheck.imports.readers``):
the same format and encoding detection (UTF-8, UTF-8 with BOM, GB18030/GBK, XLSX) and
the same Chinese messages.  This module only reads and checks; the write is
``spotcheck.catalogue.services.catalogue_import``, all rows or none.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from openpyxl import Workbook

from spotcheck.accounts.models import Department
from spotcheck.catalogue.choices import CheckMethod, ItemClass
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.directory.choices import EntityType
from spotcheck.directory.exports import csv_stream, xlsx_bytes
from spotcheck.directory.models import ItemType, Speciality, Tag
from spotcheck.imports.cells import CodeColumn, code_cell_problem, text_cell_problem
from spotcheck.imports.columns import header_key
from spotcheck.imports.readers import UnreadableFile, open_table

MAX_ROWS = 5000
LIST_SEPARATOR = "；"
_SPLIT = re.compile(r"[；;，,、\n]+")


def _join(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


def _ratio(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


COLUMNS: list[tuple[str, Callable[[InspectionItem], Any]]] = [
    ("抽查主体", lambda i: i.department.name),
    ("事项编码", lambda i: i.code),
    ("抽查事项名称", lambda i: i.name),
    ("事项类别", lambda i: i.item_type.name),
    ("重点或一般", lambda i: i.get_item_class_display()),
    ("抽查比例下限（%）", lambda i: _ratio(i.ratio_min)),
    ("抽查比例上限（%）", lambda i: _ratio(i.ratio_max)),
    ("抽查频次", lambda i: i.frequency),
    ("抽查方式", lambda i: _join(i.method_labels())),
    ("抽查对象类型", lambda i: _join(i.entity_type_labels())),
    ("适用对象标签", lambda i: _join(t.name for t in i.tags.all())),
    ("抽查依据", lambda i: i.legal_basis),
    ("检查内容", lambda i: "\n".join(s.content for s in i.sub_items.all())),
    ("检查人员专长要求", lambda i: i.speciality.name if i.speciality else ""),
    ("检查结果选项", lambda i: _join(f"{c.code} {c.label}" for c in i.result_codes.all())),
    ("有效", lambda i: "是" if i.is_active else "否"),
    ("备注", lambda i: i.notes),
]
HEADERS = [name for name, _ in COLUMNS]
REQUIRED = (
    "抽查主体",
    "事项编码",
    "抽查事项名称",
    "事项类别",
    "重点或一般",
    "抽查比例下限（%）",
    "抽查方式",
    "抽查对象类型",
    "抽查依据",
    "检查内容",
    "检查结果选项",
)
SHEET_TITLE = "抽查事项清单"


def export_queryset(items: QuerySet[InspectionItem]) -> QuerySet[InspectionItem]:
    return items.select_related("department", "item_type", "speciality").prefetch_related(
        "tags", "sub_items", "result_codes"
    )


def catalogue_xlsx(items: QuerySet[InspectionItem]) -> bytes:
    return xlsx_bytes(export_queryset(items), COLUMNS, SHEET_TITLE)


def catalogue_csv(items: QuerySet[InspectionItem]) -> Iterator[bytes]:
    """UTF-8 with BOM, so that Excel opens the Chinese text correctly."""
    return csv_stream(export_queryset(items), COLUMNS)


# ----------------------------------------------------------------------------- reading


class CatalogueFileError(Exception):
    """The file cannot be imported; ``errors`` are Chinese lines for the user."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ItemRow:
    """One checked row of the file, ready for ``item_create`` / ``item_update``."""

    row_no: int
    values: dict[str, Any]
    sub_items: list[str]
    result_codes: list[ResultCode]
    tags: list[Tag]
    existing: InspectionItem | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Lookups:
    departments: dict[str, Department]
    item_types: dict[str, ItemType]
    specialities: dict[str, Speciality]
    tags: dict[str, Tag]
    result_codes: dict[str, ResultCode]
    methods: dict[str, str]
    entity_types: dict[str, str]
    classes: dict[str, str]
    existing: dict[tuple[int, str], InspectionItem] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Lookups:
        departments: dict[str, Department] = {}
        for d in Department.objects.all():
            departments[d.name] = d
            if d.short_name:
                departments.setdefault(d.short_name, d)
        return cls(
            departments=departments,
            item_types={t.name: t for t in ItemType.objects.all()},
            specialities={s.name: s for s in Speciality.objects.all()},
            tags={t.name: t for t in Tag.objects.all()},
            result_codes={c.code.upper(): c for c in ResultCode.objects.all()},
            methods=_labels(CheckMethod.choices),
            entity_types=_labels(EntityType.choices),
            classes={
                **_labels(ItemClass.choices),
                "重点": ItemClass.KEY,
                "一般": ItemClass.GENERAL,
            },
            existing={
                (i.department_id, i.code): i
                for i in InspectionItem.objects.prefetch_related(
                    "sub_items", "result_codes", "tags"
                )
            },
        )


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in choices:
        out[str(label)] = value
        out[value] = value
    return out


def read_catalogue(
    stream: IO[bytes], name: str, *, encoding: str = "", writable: frozenset[int] | None = None
) -> list[ItemRow]:
    """Read and check every row; raise CatalogueFileError listing every problem found.

    ``writable`` is the departments the importer may change (None: all).
    """
    try:
        table = open_table(
            stream, name, known_headers={header_key(h) for h in HEADERS}, encoding=encoding
        )
    except UnreadableFile as exc:
        raise CatalogueFileError([exc.message]) from None
    try:
        return _read_rows(table, writable)
    except UnreadableFile as exc:
        raise CatalogueFileError([exc.message]) from None
    finally:
        table.close()


def _read_rows(table: Any, writable: frozenset[int] | None) -> list[ItemRow]:
    positions = {header_key(h): i for i, h in enumerate(table.header) if str(h).strip()}
    missing = [h for h in REQUIRED if header_key(h) not in positions]
    if missing:
        raise CatalogueFileError([f"缺少必填列：{'、'.join(missing)}（请使用导出的文件或模板）"])
    lookups = _Lookups.load()
    errors: list[str] = []
    rows: list[ItemRow] = []
    seen: dict[tuple[int, str], int] = {}
    for raw in table.rows:
        if not any(str(c).strip() for c in raw.cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise CatalogueFileError([f"文件超过 {MAX_ROWS} 行，请拆分后分批导入"])
        cells = {h: _cell(raw.cells, positions.get(header_key(h))) for h in HEADERS}
        row_errors: list[str] = []
        row_warnings: list[str] = []
        _damaged_cells(raw, cells, positions, row_errors, row_warnings)
        row = None if row_errors else _parse_row(raw.row_no, cells, lookups, row_errors)
        if row is not None and not row_errors:
            key = (row.values["department"].pk, row.values["code"])
            if writable is not None and key[0] not in writable:
                row_errors.append(f"无权导入“{row.values['department'].name}”的抽查事项")
            elif key in seen:
                row_errors.append(f"事项编码“{key[1]}”与第{seen[key]}行重复")
            else:
                seen[key] = raw.row_no
                row.existing = lookups.existing.get(key)
                _full_clean(row, row_errors)
        errors.extend(f"第{raw.row_no}行：{e}" for e in row_errors)
        if row is not None and not row_errors:
            row.warnings = [f"第{raw.row_no}行：{w}" for w in row_warnings]
            rows.append(row)
    if errors:
        raise CatalogueFileError(errors)
    if not rows:
        raise CatalogueFileError(["文件中没有数据行"])
    return rows


# the item code is a code; the names, basis and contents are Chinese text
_CODE_COLUMN = "事项编码"
_CHINESE_COLUMNS = ("抽查事项名称", "抽查依据", "检查内容", "抽查频次", "备注")


def _damaged_cells(
    raw: Any,
    cells: dict[str, str],
    positions: dict[str, int],
    errors: list[str],
    warnings: list[str],
) -> None:
    """Refuse cells a spreadsheet turned into numbers or a code page into ``?``."""
    numbers = set(raw.number_columns)
    code = cells[_CODE_COLUMN]
    if code:
        reason, warning = code_cell_problem(
            code, CodeColumn(), number_cell=positions.get(header_key(_CODE_COLUMN)) in numbers
        )
        if reason:
            (warnings if warning else errors).append(f"“{_CODE_COLUMN}”{reason}")
    for header, text in cells.items():
        if text and (reason := text_cell_problem(text, chinese=header in _CHINESE_COLUMNS)):
            errors.append(f"“{header}”{reason}")


def _cell(cells: list[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return str(cells[position]).strip()


def _parse_row(
    row_no: int, cells: dict[str, str], lk: _Lookups, errors: list[str]
) -> ItemRow | None:
    for header in REQUIRED:
        if not cells[header]:
            errors.append(f"“{header}”不能为空")
    if errors:
        return None
    department = lk.departments.get(cells["抽查主体"])
    if department is None:
        errors.append(f"抽查主体“{cells['抽查主体']}”不是平台已有的部门")
    item_type = lk.item_types.get(cells["事项类别"])
    if item_type is None:
        errors.append(f"事项类别“{cells['事项类别']}”不存在，请先在名录库中添加")
    item_class = lk.classes.get(cells["重点或一般"])
    if item_class is None:
        errors.append("“重点或一般”应为“重点检查事项”或“一般检查事项”")
    ratio_min = _decimal(cells["抽查比例下限（%）"], "抽查比例下限（%）", errors)
    ratio_max = _decimal(cells["抽查比例上限（%）"], "抽查比例上限（%）", errors)
    methods = _choices(cells["抽查方式"], lk.methods, "抽查方式", errors)
    entity_types = _choices(cells["抽查对象类型"], lk.entity_types, "抽查对象类型", errors)
    tags = _named(cells["适用对象标签"], lk.tags, "对象标签", errors)
    speciality = None
    if cells["检查人员专长要求"]:
        speciality = lk.specialities.get(cells["检查人员专长要求"])
        if speciality is None:
            errors.append(f"业务专长“{cells['检查人员专长要求']}”不存在")
    result_codes = _result_codes(cells["检查结果选项"], lk, errors)
    active = cells["有效"] or "是"
    if active not in ("是", "否"):
        errors.append("“有效”应填“是”或“否”")
    sub_items = [line.strip() for line in cells["检查内容"].splitlines() if line.strip()]
    too_long = [i for i, line in enumerate(sub_items, 1) if len(line) > 255]
    if too_long:
        errors.append(f"第{too_long[0]}条检查内容超过255个字")
    if errors:
        return None
    values = {
        "department": department,
        "code": cells["事项编码"],
        "name": cells["抽查事项名称"],
        "item_type": item_type,
        "legal_basis": cells["抽查依据"],
        "methods": methods,
        "entity_types": entity_types,
        "item_class": item_class,
        "ratio_min": ratio_min,
        "ratio_max": ratio_max,
        "frequency": cells["抽查频次"] or "每年不少于1次",
        "speciality": speciality,
        "is_active": active == "是",
        "notes": cells["备注"],
    }
    return ItemRow(row_no, values, sub_items, result_codes, tags)


def _decimal(text: str, header: str, errors: list[str]) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.rstrip("%％").strip())
    except InvalidOperation:
        errors.append(f"“{header}”应为数字，如 3 或 5.5，而不是“{text}”")
        return None
    if not value.is_finite():
        errors.append(f"“{header}”应为数字，而不是“{text}”")
        return None
    return value


def _choices(text: str, known: dict[str, str], header: str, errors: list[str]) -> list[str]:
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    unknown = [p for p in parts if p not in known]
    if unknown:
        errors.append(
            f"{header}“{'、'.join(unknown)}”无效，可选："
            + "、".join(k for k, v in known.items() if k != v)
        )
    return list(dict.fromkeys(known[p] for p in parts if p in known))


def _named(text: str, known: dict[str, Any], what: str, errors: list[str]) -> list[Any]:
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    unknown = [p for p in parts if p not in known]
    if unknown:
        errors.append(f"{what}“{'、'.join(unknown)}”不存在")
    return list(dict.fromkeys(known[p] for p in parts if p in known))


def _result_codes(text: str, lk: _Lookups, errors: list[str]) -> list[ResultCode]:
    codes = []
    for part in (p.strip() for p in re.split(r"[；;，,、\n]+", text)):
        if part:
            codes.append(part.split()[0].upper())
    unknown = [c for c in codes if c not in lk.result_codes]
    if unknown:
        errors.append(f"检查结果代码“{'、'.join(unknown)}”不存在")
    return list(dict.fromkeys(lk.result_codes[c] for c in codes if c in lk.result_codes))


def _full_clean(row: ItemRow, errors: list[str]) -> None:
    """Run the model's own checks before anything is written."""
    item = row.existing or InspectionItem()
    original = {f: getattr(item, f) for f in row.values} if row.existing else {}
    for name, value in row.values.items():
        setattr(item, name, value)
    try:
        item.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = _field_label(name)
            errors.extend(f"{label}{m}" if label else m for m in messages)
    finally:
        for name, value in original.items():
            setattr(item, name, value)


def _field_label(name: str) -> str:
    if name == "__all__":
        return ""
    try:
        return f"{InspectionItem._meta.get_field(name).verbose_name}："
    except Exception:  # noqa: BLE001 - a non-field key
        return ""


def row_unchanged(row: ItemRow) -> bool:
    """Tell whether importing the row would change nothing (a re-imported export)."""
    item = row.existing
    if item is None:
        return False
    same_fields = all(getattr(item, f) == v for f, v in row.values.items())
    return (
        same_fields
        and [s.content for s in item.sub_items.all()] == row.sub_items
        and {c.pk for c in item.result_codes.all()} == {c.pk for c in row.result_codes}
        and {t.pk for t in item.tags.all()} == {t.pk for t in row.tags}
    )


# ----------------------------------------------------------------------------- template

_HELP: dict[str, tuple[str, str]] = {
    "抽查主体": ("平台已有部门的全称或简称", "晋州市公安局"),
    "事项编码": ("本部门内唯一；与已有编码相同时更新该事项", "GA-BA-01"),
    "抽查事项名称": ("", "保安服务业检查"),
    "事项类别": ("平台已有的抽查事项类别名称（执法检查人员按类别标注检查资格）", "保安服务类"),
    "重点或一般": ("重点检查事项 或 一般检查事项", "一般检查事项"),
    "抽查比例下限（%）": ("数字，如 3 或 5.5", "3"),
    "抽查比例上限（%）": ("一般检查事项必填；重点检查事项可留空（不设上限）", "10"),
    "抽查频次": ("留空为“每年不少于1次”", "每年不少于1次"),
    "抽查方式": (
        "、".join(str(label) for _, label in CheckMethod.choices) + "，多个用“；”分隔",
        "实地核查；书面检查",
    ),
    "抽查对象类型": (
        "、".join(str(label) for _, label in EntityType.choices) + "，多个用“；”分隔",
        "企业",
    ),
    "适用对象标签": ("平台已有的标签名称，多个用“；”分隔；可留空", ""),
    "抽查依据": ("", "《保安服务管理条例》第四十九条"),
    "检查内容": ("每条一行（单元格内换行）", "保安员是否持证上岗\n保安服务合同是否备案"),
    "检查人员专长要求": ("平台已有的业务专长名称；可留空", ""),
    "检查结果选项": ("检查结果代码（见“检查结果代码”表），多个用“；”分隔", "1；A；G"),
    "有效": ("是 或 否；留空为是", "是"),
    "备注": ("", ""),
}


def catalogue_template_xlsx() -> bytes:
    """The import template: the header and one example row, 填写说明, the result codes."""
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(title=SHEET_TITLE)
    data.append(HEADERS)
    data.append([_HELP[h][1] for h in HEADERS])
    notes = workbook.create_sheet(title="填写说明")
    notes.append(["列名", "是否必填", "说明", "示例"])
    for header in HEADERS:
        help_text, example = _HELP[header]
        notes.append([header, "必填" if header in REQUIRED else "选填", help_text, example])
    notes.append([])
    notes.append(["整份文件全部正确才导入；有任何一行有误，列出全部问题，不导入任何一行。"])
    notes.append(["按“抽查主体＋事项编码”新增或更新；从本平台导出的文件可修改后直接导入。"])
    codes = workbook.create_sheet(title="检查结果代码")
    codes.append(["代码", "名称", "上级代码"])
    for code in ResultCode.objects.select_related("parent").order_by("sort", "code"):
        codes.append([code.code, code.label, code.parent.code if code.parent else ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
