"""The directory_import command: exit statuses, the errors file and the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from spotcheck.directory.models import Entity
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.tests.helpers import csv_bytes, entity_row
from spotcheck.testing.personas import Catalogue


def _call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("directory_import", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_clean_file_exits_0_with_a_progress_bar(catalogue: Catalogue, tmp_path: Path) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes([entity_row(1), entity_row(2)]))

    # when
    code, out, err = _call("entities", str(path))

    # then
    assert code == 0
    assert out == (
        "文件：名录.csv（CSV 文件（UTF-8（带 BOM）））\n已导入：共 2 行，新增 2，更新 0，未变化 0\n"
    )
    assert "[##############################] 100% 2 行 正在核对并写入名录库" in err
    assert Entity.objects.count() == 6


def test_rejected_rows_exit_1_and_go_to_the_errors_file(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes([entity_row(1), entity_row(2, 名称="")]))
    errors = tmp_path / "errors.csv"

    # when
    code, out, _ = _call("entities", str(path), "--errors", str(errors), "--no-progress")

    # then
    assert code == 1
    assert f"错误报告已写入：{errors}" in out
    assert errors.read_bytes() == ("\ufeff行号,列,值,原因\r\n3,名称,,必填项，不能为空\r\n".encode())
    assert Entity.objects.count() == 4


def test_valid_only_applies_and_still_exits_1(catalogue: Catalogue, tmp_path: Path) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes([entity_row(1), entity_row(2, 名称="")]))

    # when
    code, out, _ = _call("entities", str(path), "--valid-only", "--no-progress")

    # then
    assert code == 1
    assert Entity.objects.filter(uscc=make_uscc(5001)).exists()


def test_a_dry_run_exits_0_and_writes_nothing(catalogue: Catalogue, tmp_path: Path) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes([entity_row(1)]))

    # when
    code, out, _ = _call("entities", str(path), "--dry-run", "--no-progress")

    # then
    assert code == 0
    assert "试运行，未写入名录库：共 1 行，将新增 1，更新 0，未变化 0" in out
    assert Entity.objects.count() == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件无法导入：文件是空的（0 字节），请检查是否选错了文件"),
        (b"\x00\x01garbage\xff" * 100, "文件无法导入：文件既不是 CSV 文本"),
    ],
)
def test_an_unreadable_file_exits_2(
    catalogue: Catalogue, tmp_path: Path, content: bytes, message: str
) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(content)

    # when
    code, out, _ = _call("entities", str(path), "--no-progress")

    # then
    assert code == 2
    assert out.startswith(message)


def test_a_missing_file_exits_2(catalogue: Catalogue, tmp_path: Path) -> None:
    # when
    code, _, err = _call("entities", str(tmp_path / "nope.csv"))

    # then
    assert (code, err) == (2, f"找不到文件：{tmp_path / 'nope.csv'}\n")


def test_the_department_option_scopes_and_defaults(catalogue: Catalogue, tmp_path: Path) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(
        csv_bytes([entity_row(1, 监管部门=""), entity_row(2, 监管部门="晋州市公安局")])
    )

    # when
    code, _, _ = _call(
        "entities",
        str(path),
        "--department",
        "晋州市市场监督管理局",
        "--valid-only",
        "--no-progress",
    )

    # then
    assert code == 1
    entity = Entity.objects.get(uscc=make_uscc(5001))
    assert [d.name for d in entity.supervising_departments.all()] == ["晋州市市场监督管理局"]
    assert not Entity.objects.filter(uscc=make_uscc(5002)).exists()


def test_an_unknown_department_option_exits_2(catalogue: Catalogue, tmp_path: Path) -> None:
    # given
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_bytes([entity_row(1)]))

    # when
    code, _, err = _call("entities", str(path), "--department", "火星局")

    # then
    assert (code, err) == (2, "平台中没有名为“火星局”的部门\n")
