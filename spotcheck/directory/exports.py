"""Export the directory lists as CSV (UTF-8 with BOM, for Excel) or XLSX.

The Chinese column headers are the ones the import templates use.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from openpyxl import Workbook

Column = tuple[str, Callable[[Any], Any]]


def _names(manager: Any) -> str:
    return "；".join(obj.name for obj in manager.all())


ENTITY_COLUMNS: list[Column] = [
    ("统一社会信用代码", lambda e: e.uscc or ""),
    ("注册号", lambda e: e.reg_no),
    ("名称", lambda e: e.name),
    ("主体类型", lambda e: e.get_entity_type_display()),
    ("法定代表人（负责人）", lambda e: e.legal_rep_name),
    ("住所", lambda e: e.address),
    ("行政区划代码", lambda e: e.region.code),
    ("登记机关", lambda e: e.reg_authority_name),
    ("国民经济行业代码", lambda e: e.industry_code),
    ("分类标签", lambda e: _names(e.tags)),
    ("成立日期", lambda e: e.established_on.isoformat() if e.established_on else ""),
    ("登记状态", lambda e: e.get_reg_status_display()),
    ("信用风险分类", lambda e: e.risk_class),
    ("分类来源", lambda e: e.get_risk_source_display()),
    ("分类日期", lambda e: e.risk_as_of.isoformat() if e.risk_as_of else ""),
    ("经营异常名录", lambda e: "是" if e.on_abnormal_list else "否"),
    ("严重违法失信名单", lambda e: "是" if e.on_serious_illegal_list else "否"),
    ("监管部门", lambda e: _names(e.supervising_departments)),
]

INSPECTOR_COLUMNS: list[Column] = [
    ("姓名", lambda i: i.name),
    ("性别", lambda i: i.get_gender_display()),
    ("所属部门", lambda i: i.department.name),
    ("所在科室/所", lambda i: i.unit),
    ("职务", lambda i: i.post),
    ("人员类别", lambda i: i.get_category_display()),
    ("执法证号", lambda i: i.certificate_no),
    ("发证机关", lambda i: i.certificate_authority),
    ("证件有效期自", lambda i: i.certificate_valid_from.isoformat()),
    ("证件有效期至", lambda i: i.certificate_valid_until.isoformat()),
    ("业务专长", lambda i: _names(i.specialities)),
    ("可检查事项类别", lambda i: _names(i.qualified_item_types)),
    ("状态", lambda i: i.get_status_display()),
    ("专家", lambda i: "是" if i.is_expert else "否"),
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(objects: Iterable[Any], columns: list[Column]) -> Iterator[list[Any]]:
    for obj in objects:
        yield [safe_cell(get(obj)) for _, get in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(objects: Iterable[Any], columns: list[Column]) -> Iterator[bytes]:
    """Yield a CSV file chunk by chunk, BOM first, so big exports never sit in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow([name for name, _ in columns]).encode("utf-8")
    for row in _rows(objects, columns):
        yield writer.writerow(row).encode("utf-8")


def xlsx_bytes(objects: Iterable[Any], columns: list[Column], title: str) -> bytes:
    """Build an XLSX workbook in write-only mode (flat memory per row)."""
    buffer = io.BytesIO()
    xlsx_write(objects, columns, title, buffer)
    return buffer.getvalue()


def xlsx_write(objects: Iterable[Any], columns: list[Column], title: str, target: Any) -> None:
    """Write an XLSX workbook to a path or binary file; rows go through a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([name for name, _ in columns])
    for row in _rows(objects, columns):
        sheet.append(row)
    workbook.save(target)


def entity_export_queryset(qs: Any) -> Any:
    return qs.prefetch_related("tags", "supervising_departments").iterator(chunk_size=2000)


def inspector_export_queryset(qs: Any) -> Any:
    return qs.prefetch_related("specialities", "qualified_item_types").iterator(chunk_size=2000)
