"""Bad input files: each gets a clear Chinese message, exit status 2, and nothing is written."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity
from spotcheck.imports import readers
from spotcheck.imports.tests.helpers import ENTITY_HEADER, csv_bytes, entity_row, run, xlsx_bytes
from spotcheck.testing.personas import Catalogue


def _nothing_written(before: int) -> None:
    assert Entity.objects.count() == before
    assert not AuditEvent.objects.filter(event_type="directory.import.applied").exists()


def test_an_empty_file_is_refused(catalogue: Catalogue) -> None:
    # when
    report, errors = run("entities", b"")

    # then
    assert report.exit_code == 2
    assert report.fatal == "文件是空的（0 字节），请检查是否选错了文件"
    assert errors == [["", "", "", "文件无法导入：文件是空的（0 字节），请检查是否选错了文件"]]
    _nothing_written(4)


def test_a_file_of_only_headers_is_refused(catalogue: Catalogue) -> None:
    # given
    data = ("\ufeff" + ",".join(ENTITY_HEADER) + "\r\n").encode()

    # when
    report, _ = run("entities", data)

    # then
    assert report.exit_code == 2
    assert report.fatal == "文件只有表头，没有数据行"
    _nothing_written(4)


def test_a_file_of_blank_lines_has_no_header(catalogue: Catalogue) -> None:
    # when
    report, _ = run("entities", b"\r\n\r\n,,,\r\n")

    # then
    assert report.exit_code == 2
    assert report.fatal == "文件中没有内容（没有表头，也没有数据行）"


def test_fifty_megabytes_of_garbage_are_refused(catalogue: Catalogue) -> None:
    # given
    data = os.urandom(50 * 1024 * 1024)

    # when
    report, _ = run("entities", data, name="名录.csv")

    # then
    assert report.exit_code == 2
    assert report.fatal == (
        "文件既不是 CSV 文本，也不是 Excel 工作簿（含有二进制内容），请检查是否选错了文件"
    )
    _nothing_written(4)


def test_a_text_file_without_the_headers_says_what_it_found(catalogue: Catalogue) -> None:
    # given
    data = "这是一份会议纪要\n第二行\n".encode()

    # when
    report, _ = run("entities", data)

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("前2行中没有找到表头：第1行为“这是一份会议纪要”。")


def test_a_csv_renamed_to_xlsx_is_refused(catalogue: Catalogue) -> None:
    # given
    data = csv_bytes([entity_row(1)])

    # when
    report, _ = run("entities", data, name="名录.xlsx")

    # then
    assert report.exit_code == 2
    assert report.fatal == (
        "文件扩展名是 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的 CSV 文本，"
        "或文件已损坏）：如是 CSV，请把扩展名改为 .csv 后重新导入"
    )
    _nothing_written(4)


def test_a_workbook_renamed_to_csv_is_refused(catalogue: Catalogue) -> None:
    # given
    data = xlsx_bytes({"Sheet1": [ENTITY_HEADER, list(entity_row(1).values())]})

    # when
    report, _ = run("entities", data, name="名录.csv")

    # then
    assert report.exit_code == 2
    assert "扩展名不是 .xlsx" in report.fatal


def test_a_truncated_workbook_is_refused(catalogue: Catalogue) -> None:
    # given
    data = xlsx_bytes({"Sheet1": [ENTITY_HEADER, list(entity_row(1).values())]})

    # when
    report, _ = run("entities", data[: len(data) // 2], name="名录.xlsx")

    # then
    assert report.exit_code == 2
    assert report.fatal == "Excel 文件已损坏或不完整（可能没有上传完整），请重新保存后再导入"
    _nothing_written(4)


def test_a_zip_that_is_not_a_workbook_is_refused(catalogue: Catalogue) -> None:
    # given
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    # when
    report, _ = run("entities", buffer.getvalue(), name="名录.xlsx")

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("无法读取该 Excel 文件")


def test_a_workbook_that_inflates_far_beyond_its_size_is_refused(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a real workbook whose sheet is padded with 8 MiB of blanks that deflate to
    # a few kilobytes (a "zip bomb", scaled down by lowering the limit)
    monkeypatch.setattr(readers, "_XLSX_RATIO_FROM", 4 << 20)
    source = zipfile.ZipFile(
        io.BytesIO(xlsx_bytes({"名录": [ENTITY_HEADER, list(entity_row(1).values())]}))
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20))
            archive.writestr(info.filename, data)
    assert len(buffer.getvalue()) < 100_000

    # when
    report, _ = run("entities", buffer.getvalue(), name="名录.xlsx")

    # then: not "文件只有表头"
    assert report.exit_code == 2
    assert report.fatal.startswith("Excel 工作簿过大或格式异常：解压后约 8 MB")
    _nothing_written(4)


def test_an_old_xls_workbook_is_refused_with_advice(catalogue: Catalogue) -> None:
    # given
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000

    # when
    report, _ = run("entities", data, name="名录.xls")

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("这是旧版 Excel（.xls）或加密的工作簿，无法读取")


def test_a_workbook_without_the_headers_names_its_sheets(catalogue: Catalogue) -> None:
    # given
    data = xlsx_bytes({"统计表": [["月份", "户数"], ["1月", 3]], "说明": [["无"]]})

    # when
    report, _ = run("entities", data, name="名录.xlsx")

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("工作簿中没有找到导入表头（工作表：统计表、说明）")


def test_the_data_sheet_is_found_when_it_is_not_the_first(catalogue: Catalogue) -> None:
    # given
    data = xlsx_bytes(
        {
            "填写说明": [["列名", "说明"], ["名称", "必填"]],
            "数据": [ENTITY_HEADER, list(entity_row(1).values())],
        }
    )

    # when
    report, errors = run("entities", data, name="名录.xlsx")

    # then
    assert (report.exit_code, report.created, errors) == (0, 1, [])
    assert report.description == "Excel 工作簿，工作表“数据”"


def test_missing_required_columns_are_named(catalogue: Catalogue) -> None:
    # given
    header = [h for h in ENTITY_HEADER if h not in ("住所", "监管部门")]

    # when
    report, _ = run("entities", csv_bytes([entity_row(1)], header=header))

    # then
    assert report.exit_code == 2
    assert report.fatal == (
        "缺少必需的列：住所、监管部门。请使用下载的导入模板（列的顺序可以不同）"
    )
    _nothing_written(4)


def test_a_repeated_header_is_refused(catalogue: Catalogue) -> None:
    # given
    header = [*ENTITY_HEADER, "名称"]

    # when
    report, _ = run("entities", csv_bytes([entity_row(1)], header=header))

    # then
    assert report.exit_code == 2
    assert report.fatal == "表头中“名称”出现了不止一次"


def test_a_header_of_more_than_200_columns_is_refused(catalogue: Catalogue) -> None:
    # given
    header = ENTITY_HEADER + [f"备注{i}" for i in range(300)]

    # when
    report, _ = run("entities", csv_bytes([entity_row(1)], header=header))

    # then
    assert report.exit_code == 2
    assert report.fatal == "表头有318列，超过上限200列"


def test_a_row_of_1000_columns_is_rejected_with_its_row_number(catalogue: Catalogue) -> None:
    # given
    good = csv_bytes([entity_row(1), entity_row(2)])
    wide = ",".join(["x"] * 1000).encode() + b"\r\n"
    data = good + wide

    # when
    report, errors = run("entities", data)

    # then
    assert (report.exit_code, report.rejected, report.applied) == (1, 1, False)
    assert errors == [["4", "", "共1000列", "该行有1000列，多于表头的18列，请检查是否错位"]]
    _nothing_written(4)


def test_a_mixed_encoding_file_is_refused_at_the_line_that_breaks(catalogue: Catalogue) -> None:
    # given
    utf8 = csv_bytes([entity_row(1)], encoding="utf-8")
    gbk = csv_bytes([entity_row(2)], encoding="gbk").split(b"\r\n", 1)[1]
    data = utf8 + gbk

    # when
    report, _ = run("entities", data)

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("第3行附近的内容不是 UTF-8 编码：文件可能混用了多种编码")
    _nothing_written(4)


def test_an_unknown_encoding_override_is_refused(catalogue: Catalogue) -> None:
    # when
    report, _ = run("entities", csv_bytes([entity_row(1)]), encoding="big-5-ish")

    # then
    assert report.exit_code == 2
    assert report.fatal == "不认识的编码“big-5-ish”：可选 UTF-8、GB18030、GBK"


def test_a_cell_longer_than_the_csv_limit_is_refused(catalogue: Catalogue) -> None:
    # given
    data = csv_bytes([entity_row(1)]) + b'"' + b"a" * 200_000 + b'"\r\n'

    # when
    report, _ = run("entities", data)

    # then
    assert report.exit_code == 2
    assert report.fatal == "第3行无法按 CSV 读取（单元格内容过长），文件可能不是 CSV 或已损坏"
    _nothing_written(4)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_each_encoding_chinese_excel_writes_is_detected(
    catalogue: Catalogue, encoding: str
) -> None:
    # given
    data = csv_bytes([entity_row(1)], encoding=encoding)

    # when
    report, errors = run("entities", data)

    # then
    assert (report.exit_code, report.created, errors) == (0, 1, [])
    assert Entity.objects.get(uscc=entity_row(1)["统一社会信用代码"]).name == (
        "晋州市导入测试001有限公司"
    )


def test_the_encoding_override_wins_over_detection(catalogue: Catalogue) -> None:
    # given: GBK bytes read as UTF-8 on purpose
    data = csv_bytes([entity_row(1)], encoding="gbk")

    # when
    report, _ = run("entities", data, encoding="utf-8")

    # then
    assert report.exit_code == 2
    assert report.fatal.startswith("第1行附近的内容不是 UTF-8 编码")


def test_a_title_row_above_the_header_is_skipped(catalogue: Catalogue) -> None:
    # given
    data = "检查对象名录（2026年）\r\n".encode() + csv_bytes([entity_row(1)], encoding="utf-8")

    # when
    report, errors = run("entities", data)

    # then
    assert (report.exit_code, report.created, errors) == (0, 1, [])


def test_excel_unicode_text_is_read(catalogue: Catalogue) -> None:
    # given: Excel's “Unicode 文本” is UTF-16 with BOM, separated by tabs
    row = entity_row(1)
    text = "\t".join(row) + "\r\n" + "\t".join(row.values()) + "\r\n"
    data = text.encode("utf-16")

    # when
    report, errors = run("entities", data, name="名录.txt")

    # then
    assert (report.exit_code, report.created, errors) == (0, 1, [])
