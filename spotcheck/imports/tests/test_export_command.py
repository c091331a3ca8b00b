"""The directory_export command: CSV and XLSX by extension, filters, the audit trail."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.imports.tests.helpers import ENTITY_HEADER, INSPECTOR_HEADER
from spotcheck.testing.personas import DING, JIA, Catalogue


def _call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("directory_export", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_filtered_csv_export_has_a_bom_and_the_headers(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    # given
    out = tmp_path / "a.csv"

    # when
    code, stdout, _ = _call(
        "entities",
        str(out),
        "--filter",
        "risk_class=A",
        "--filter",
        "department=晋州市市场监督管理局",
    )

    # then
    assert (code, stdout) == (0, f"已导出 2 条到 {out}\n")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ENTITY_HEADER
    assert sorted(r[2] for r in rows[1:]) == sorted([JIA, DING])
    event = AuditEvent.objects.get(event_type="directory.exported")
    assert event.data == {
        "kind": "entities",
        "format": "csv",
        "count": 2,
        "query": "risk_class=A&department=晋州市市场监督管理局",
    }


def test_an_xlsx_export_is_chosen_by_extension(
    catalogue: Catalogue, inspector_record: Inspector, tmp_path: Path
) -> None:
    # given
    out = tmp_path / "人员.xlsx"

    # when
    code, _, _ = _call("inspectors", str(out))

    # then
    assert code == 0
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == INSPECTOR_HEADER
    assert [r[0] for r in rows[1:]] == ["李检查"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "colour=red"], "无效的筛选条件“colour=red”"),
        (["--filter", "department=火星局"], "平台中没有名为“火星局”的部门"),
    ],
)
def test_a_bad_filter_exits_2(
    catalogue: Catalogue, tmp_path: Path, args: list[str], message: str
) -> None:
    # when
    code, _, err = _call("entities", str(tmp_path / "a.csv"), *args)

    # then
    assert code == 2
    assert err.startswith(message)
    assert not (tmp_path / "a.csv").exists()


def test_an_unknown_extension_exits_2(catalogue: Catalogue, tmp_path: Path) -> None:
    # when
    code, _, err = _call("entities", str(tmp_path / "a.json"))

    # then
    assert (code, err) == (2, "输出文件的扩展名须为 .csv 或 .xlsx\n")
