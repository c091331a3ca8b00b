"""Exporting the directory lists: CSV for Excel, XLSX, scope, filters and the audit trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.testing.personas import BING, DING, JIA, YI, Catalogue, Departments

ENTITY_LIST = reverse("directory:entity_list")
INSPECTOR_LIST = reverse("directory:inspector_list")
BOM = b"\xef\xbb\xbf"

ENTITY_HEADERS = [
    "统一社会信用代码",
    "注册号",
    "名称",
    "主体类型",
    "法定代表人（负责人）",
    "住所",
    "行政区划代码",
    "登记机关",
    "国民经济行业代码",
    "分类标签",
    "成立日期",
    "登记状态",
    "信用风险分类",
    "分类来源",
    "分类日期",
    "经营异常名录",
    "严重违法失信名单",
    "监管部门",
]
INSPECTOR_HEADERS = [
    "姓名",
    "性别",
    "所属部门",
    "所在科室/所",
    "职务",
    "人员类别",
    "执法证号",
    "发证机关",
    "证件有效期自",
    "证件有效期至",
    "业务专长",
    "可检查事项类别",
    "状态",
    "专家",
]

SignIn = Callable[[str], Client]


def _csv_bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _csv_rows(response: Any) -> list[list[str]]:
    return _parse_csv(_csv_bytes(response))


def _xlsx_rows(response: Any) -> list[list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    # an empty string is stored as an empty cell, which openpyxl reads back as None
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _names(rows: list[list[str]]) -> list[str]:
    return [row[2] for row in rows[1:]]


def test_csv_export_starts_with_a_bom_and_has_the_chinese_headers(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")

    # when
    response = client.get(ENTITY_LIST, {"export": "csv"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        "attachment; filename*=UTF-8''%E6%A3%80%E6%9F%A5%E5%AF%B9%E8%B1%A1%E5%90%8D%E5%BD%95-"
    )
    data = _csv_bytes(response)
    assert data.startswith(BOM + "统一社会信用代码,注册号,名称,".encode())
    assert _parse_csv(data)[0] == ENTITY_HEADERS


def test_csv_export_writes_one_full_row_per_entity(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")

    # when
    response = client.get(ENTITY_LIST, {"export": "csv", "q": "甲食品"})

    # then
    assert _csv_rows(response) == [
        ENTITY_HEADERS,
        [
            catalogue.jia.uscc,
            "",
            JIA,
            "企业",
            "张三",
            "河北省石家庄市晋州市测试路1号",
            "130183",
            "晋州市市场监督管理局",
            "",
            "食品生产企业",
            "2019-03-15",
            "存续（在业）",
            "A",
            "市场监管总局通用型企业信用风险分类",
            "2025-01-10",
            "否",
            "否",
            "晋州市市场监督管理局",
        ],
    ]


def test_csv_export_respects_the_filter(catalogue: Catalogue, persona_client: SignIn) -> None:
    # given
    client = persona_client("platform_admin")

    # when
    response = client.get(ENTITY_LIST, {"export": "csv", "tag": "food-producer"})

    # then
    assert _names(_csv_rows(response)) == [DING, JIA]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("dept_admin", [DING, BING, JIA]),
        ("other_dept_admin", [DING, YI]),
        ("parent_dept_admin", [DING, BING, JIA]),
        ("inspector", []),
        ("auditor", [DING, BING, YI, JIA]),
    ],
)
def test_csv_export_contains_only_what_the_user_may_read(
    persona: str, expected: list[str], catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client(persona)

    # when
    response = client.get(ENTITY_LIST, {"export": "csv"})

    # then
    assert _names(_csv_rows(response)) == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_a_cell_that_a_spreadsheet_would_run_as_a_formula(
    fmt: str, departments: Departments, persona_client: SignIn
) -> None:
    # given
    EntityFactory(
        name='=HYPERLINK("http://evil.example","点此领补贴")',
        supervising_departments=[departments.market],
    )
    client = persona_client("dept_admin")

    # when
    response = client.get(ENTITY_LIST, {"export": fmt})

    # then
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert _names(rows) == ['\'=HYPERLINK("http://evil.example","点此领补贴")']


def test_xlsx_export_has_the_same_rows_as_the_csv_export(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    csv_rows = _csv_rows(client.get(ENTITY_LIST, {"export": "csv", "risk_class": "A"}))

    # when
    response = client.get(ENTITY_LIST, {"export": "xlsx", "risk_class": "A"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert _xlsx_rows(response) == csv_rows
    assert _names(csv_rows) == [DING, JIA]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_writes_a_directory_exported_audit_event(
    fmt: str, catalogue: Catalogue, dept_admin: User, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = AuditEvent.objects.count()

    # when
    response = client.get(ENTITY_LIST, {"risk_class": "A", "export": fmt})

    # then
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(event_type="directory.exported")
    assert event.actor == dept_admin
    assert event.actor_label == "市场监管局管理员"
    assert event.data == {
        "kind": "entities",
        "format": fmt,
        "count": 2,
        "query": f"risk_class=A&export={fmt}",
    }


def test_an_export_above_the_row_limit_is_refused_and_leaves_no_audit_event(
    settings: Any, catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    settings.EXPORT_MAX_ROWS = 3
    client = persona_client("platform_admin")
    before = AuditEvent.objects.count()

    # when
    response = client.get(ENTITY_LIST, {"export": "csv", "entity_type": ""})

    # then
    assert response.status_code == 302
    assert response["Location"] == f"{ENTITY_LIST}?entity_type="
    assert AuditEvent.objects.count() == before
    page = client.get(response["Location"])
    assert "筛选结果共 4 条，超过单次导出上限 3 条，请缩小筛选范围。" in page.content.decode()


def test_inspector_csv_export_lists_only_the_inspectors_own_record_for_an_inspector(
    inspector_record: Inspector, other_inspector_record: Inspector, persona_client: SignIn
) -> None:
    # given
    client = persona_client("inspector")

    # when
    response = client.get(INSPECTOR_LIST, {"export": "csv"})

    # then
    assert _csv_rows(response) == [
        INSPECTOR_HEADERS,
        [
            "李检查",
            "",
            "晋州市市场监督管理局",
            "",
            "",
            "行政执法类公务员",
            "JZSC0001",
            "晋州市人民政府",
            "2020-01-01",
            "2035-12-31",
            "",
            "",
            "在岗",
            "否",
        ],
    ]
