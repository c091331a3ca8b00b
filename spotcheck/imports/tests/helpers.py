"""Helpers of the import tests: build files in memory and run an import on them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl

from spotcheck.accounts.models import Department, User
from spotcheck.directory.exports import ENTITY_COLUMNS, INSPECTOR_COLUMNS
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.engine import ERRORS_HEADER, ImportOptions, ImportReport
from spotcheck.imports.models import ImportJob
from spotcheck.imports.services import directory_import

ENTITY_HEADER = [name for name, _ in ENTITY_COLUMNS]
INSPECTOR_HEADER = [name for name, _ in INSPECTOR_COLUMNS]


def entity_row(n: int, **overrides: str) -> dict[str, str]:
    """A valid entity row of 晋州市 supervised by 晋州市市场监督管理局."""
    row = {
        "统一社会信用代码": make_uscc(5000 + n),
        "注册号": "",
        "名称": f"晋州市导入测试{n:03d}有限公司",
        "主体类型": "企业",
        "法定代表人（负责人）": "赵六",
        "住所": "河北省石家庄市晋州市导入路1号",
        "行政区划代码": "130183",
        "登记机关": "晋州市市场监督管理局",
        "国民经济行业代码": "C1391",
        "分类标签": "",
        "成立日期": "2020-05-06",
        "登记状态": "存续（在业）",
        "信用风险分类": "B",
        "分类来源": "市场监管总局通用型企业信用风险分类",
        "分类日期": "2025-01-10",
        "经营异常名录": "否",
        "严重违法失信名单": "否",
        "监管部门": "晋州市市场监督管理局",
    }
    row.update(overrides)
    return row


def inspector_row(n: int, **overrides: str) -> dict[str, str]:
    """A valid inspector row of 晋州市市场监督管理局 with a certificate valid until 2035."""
    row = {
        "姓名": f"导入员{n:02d}",
        "性别": "女",
        "所属部门": "晋州市市场监督管理局",
        "所在科室/所": "城区所",
        "职务": "科员",
        "人员类别": "行政执法类公务员",
        "执法证号": f"JZIMP{n:04d}",
        "发证机关": "河北省人民政府",
        "证件有效期自": "2024-01-01",
        "证件有效期至": "2035-12-31",
        "业务专长": "",
        "可检查事项类别": "",
        "状态": "在岗",
        "专家": "否",
    }
    row.update(overrides)
    return row


def csv_bytes(
    rows: list[dict[str, str]], header: list[str] | None = None, encoding: str = "utf-8-sig"
) -> bytes:
    header = header or list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(
    kind: str,
    data: bytes,
    *,
    name: str = "名录.csv",
    actor: User | None = None,
    department: Department | None = None,
    **options: Any,
) -> tuple[ImportReport, list[list[str]]]:
    """Import ``data``; return the report and the rows of the errors CSV (without header)."""
    errors = io.BytesIO()
    report = directory_import(
        actor=actor,
        stream=io.BytesIO(data),
        name=name,
        options=ImportOptions(kind=kind, **options),
        department=department,
        errors_out=errors,
    )
    raw = errors.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ERRORS_HEADER
    return report, lines[1:]


# what the ``tasks`` fixture returns: ``wait_for(job)``, until the import job has finished
WaitFor = Callable[[ImportJob], ImportJob]
