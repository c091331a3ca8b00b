"""Files a real office suite wrote (LibreOffice Calc, see ``office/make_files.py``).

A spreadsheet turns long codes in cells of number format into E notation and cuts their
digits past the 15th; a CSV saved in the Windows code page turns rare characters into
``?``. None of these files may create or change a record with a corrupted value, and
each gets a message an official can act on.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from spotcheck.catalogue.exchange import CatalogueFileError
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.services import catalogue_import
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.tests.factories import ItemTypeFactory
from spotcheck.imports.cells import CONTROL, ENCODING_LOST, NUMBER_LOST, SCIENTIFIC_TEXT
from spotcheck.imports.template_file import template_xlsx
from spotcheck.imports.tests.helpers import (
    INSPECTOR_HEADER,
    csv_bytes,
    entity_row,
    inspector_row,
    run,
)
from spotcheck.testing.personas import Catalogue, Departments

OFFICE = Path(__file__).parent / "office"
ZEROS_WARNING = (
    "警告：该单元格为数字格式：如原代码以0开头，开头的0已丢失，请核对本行；"
    "今后请将此列设为“文本”再填写"
)


def _file(name: str) -> bytes:
    return (OFFICE / name).read_bytes()


# ------------------------------------------------------------ 执法证号 as numbers


def test_certificate_numbers_a_spreadsheet_cut_are_refused_from_the_workbook(
    departments: Departments,
) -> None:
    # when
    report, errors = run("inspectors", _file("inspectors-number-cells.xlsx"), name="人员.xlsx")

    # then: the 21-digit number is refused as it is (no invented digits), the exact ones
    # are flagged, and nothing is written
    assert (report.exit_code, report.rejected, report.refused) == (1, 1, True)
    assert errors == [
        ["2", "执法证号", "1.3018320261207E+20", NUMBER_LOST.format(value="1.3018320261207E+20")],
        ["3", "执法证号", "1301832599000", ZEROS_WARNING],
        ["4", "执法证号", "130183259901", ZEROS_WARNING],
    ]
    assert not Inspector.objects.exists()


def test_certificate_numbers_in_e_notation_are_refused_from_the_csv(
    departments: Departments,
) -> None:
    # when
    report, errors = run("inspectors", _file("inspectors-number-cells.csv"), name="人员.csv")

    # then: the CSV cannot tell a number cell, but E notation is never a code
    assert (report.exit_code, report.rejected) == (1, 1)
    assert errors == [
        [
            "2",
            "执法证号",
            "1.3018320261207E+020",
            SCIENTIFIC_TEXT.format(value="1.3018320261207E+020"),
        ]
    ]
    assert not Inspector.objects.exists()


def test_an_exact_number_cell_is_imported_with_a_warning_when_only_valid_rows_go_in(
    departments: Departments,
) -> None:
    # when
    report, errors = run(
        "inspectors", _file("inspectors-number-cells.xlsx"), name="人员.xlsx", valid_only=True
    )

    # then
    assert (report.created, report.rejected, report.warnings) == (2, 1, 2)
    assert set(Inspector.objects.values_list("certificate_no", flat=True)) == {
        "130183259901",
        "1301832599000",
    }
    assert not Inspector.objects.filter(certificate_no__startswith="1301832026").exists()


# ------------------------------------------------- 统一社会信用代码 as numbers


@pytest.mark.parametrize(
    ("name", "shown", "reason"),
    [
        (
            "entities-number-cells.xlsx",
            "9.11301831E+17",
            NUMBER_LOST.format(value="9.11301831E+17"),
        ),
        (
            "entities-number-cells.csv",
            "9.11301831E+017",
            SCIENTIFIC_TEXT.format(value="9.11301831E+017"),
        ),
    ],
)
def test_a_credit_code_turned_into_a_number_is_refused_with_the_spreadsheet_reason(
    catalogue: Catalogue, name: str, shown: str, reason: str
) -> None:
    # when
    report, errors = run("entities", _file(name), name=name)

    # then: not "应为18位"; the good row is not imported either (all or nothing)
    assert (report.exit_code, report.rejected) == (1, 1)
    assert errors == [["2", "统一社会信用代码", shown, reason]]
    assert Entity.objects.count() == 4


def test_all_digit_credit_code_is_never_offered_a_forced_save(catalogue: Catalogue) -> None:
    # given: the spreadsheet showed the cut number in full ("0" format): 911301831000000000
    data = _file("entities-digits-shown.csv")

    # when
    report, errors = run("entities", data, name="名录.csv")

    # then
    assert report.rejected == 1
    [[row_no, column, value, reason]] = errors
    assert (row_no, column, value) == ("2", "统一社会信用代码", "911301831000000000")
    assert "表格软件" in reason
    assert "校验位不符保存理由" not in reason
    assert Entity.objects.count() == 4


def test_all_digit_credit_code_is_refused_even_with_a_reason_given(catalogue: Catalogue) -> None:
    # given: an official followed the old advice and wrote a reason
    row = entity_row(1, 统一社会信用代码="911301831000000000")
    row["校验位不符保存理由"] = "早期试点代码"

    # when
    report, _ = run("entities", csv_bytes([row]))

    # then
    assert report.rejected == 1
    assert not Entity.objects.filter(uscc="911301831000000000").exists()


# --------------------------------------------------------- the Windows code page


def test_characters_lost_to_the_code_page_are_refused(catalogue: Catalogue) -> None:
    # when
    report, errors = run("entities", _file("entities-ms936.csv"), name="名录.csv")

    # then
    assert (report.exit_code, report.rejected) == (1, 2)
    assert errors == [
        ["2", "名称", "晋州市?记商贸有限公司", ENCODING_LOST.format(mark="?")],
        ["3", "住所", "河北省晋州市?字街2号", ENCODING_LOST.format(mark="?")],
    ]
    assert Entity.objects.count() == 4


def test_a_stored_name_is_not_overwritten_with_question_marks(catalogue: Catalogue) -> None:
    # given: 李䶮 is stored; the same row comes back from a GBK CSV as 李?
    run("inspectors", csv_bytes([inspector_row(1, 姓名="李䶮")]))
    data = csv_bytes([inspector_row(1, 姓名="李?")], encoding="gb18030")

    # when
    report, errors = run("inspectors", data)

    # then
    assert report.rejected == 1
    assert errors == [["2", "姓名", "李?", ENCODING_LOST.format(mark="?")]]
    assert Inspector.objects.get(certificate_no="JZIMP0001").name == "李䶮"


def test_the_replacement_character_is_refused(catalogue: Catalogue) -> None:
    report, errors = run("entities", csv_bytes([entity_row(1, 名称="晋州市\ufffd记有限公司")]))

    assert report.rejected == 1
    assert errors[0][3] == ENCODING_LOST.format(mark="\ufffd")


def test_a_question_mark_in_latin_text_is_kept(departments: Departments) -> None:
    report, _ = run("inspectors", csv_bytes([inspector_row(1, 所在科室="IT?Lab")]))

    assert (report.exit_code, report.created) == (0, 1)


# ---------------------------------------------------------------- NUL bytes


def test_a_nul_byte_is_reported_with_its_row_and_column(catalogue: Catalogue) -> None:
    # given: one stray NUL in a name (PostgreSQL text cannot hold it)
    data = csv_bytes([entity_row(1), entity_row(2, 名称="晋州市\x00有限公司")])

    # when
    report, errors = run("entities", data)

    # then
    assert (report.exit_code, report.rejected) == (1, 1)
    assert errors == [["3", "名称", "晋州市␀有限公司", CONTROL]]
    assert Entity.objects.count() == 4


# ------------------------------------------------------------- two-digit years


@pytest.mark.parametrize("name", ["inspectors-short-year.xlsx", "inspectors-short-year.csv"])
def test_dates_shown_with_a_two_digit_year(departments: Departments, name: str) -> None:
    # when
    report, errors = run("inspectors", _file(name), name=name)

    # then: the workbook keeps the real date; the CSV's 24年1月5日 is refused plainly
    if name.endswith(".xlsx"):
        assert (report.exit_code, report.created, errors) == (0, 1, [])
        inspector = Inspector.objects.get()
        assert inspector.certificate_valid_from.isoformat() == "2024-01-05"
    else:
        assert report.rejected == 1
        [[_, column, value, reason]] = errors
        assert (column, value) == ("证件有效期自", "24年1月5日")
        assert reason.startswith("年份只有两位")
        assert not Inspector.objects.exists()


# ------------------------------------------------------------------ catalogue


@pytest.mark.parametrize("name", ["catalogue-number-codes.xlsx", "catalogue-number-codes.csv"])
def test_catalogue_codes_turned_into_numbers(departments: Departments, name: str) -> None:
    # given
    ItemTypeFactory(code="market", name="市场监管", department=departments.market)

    # when
    with pytest.raises(CatalogueFileError) as exc:
        catalogue_import(actor=None, stream=io.BytesIO(_file(name)), name=name)

    # then: the long code is refused, the row with 101 is fine but nothing is written
    [error] = exc.value.errors
    assert error.startswith("第3行：“事项编码”该")
    assert "科学计数法" in error
    assert not InspectionItem.objects.exists()


def test_catalogue_code_from_an_exact_number_cell_is_a_warning(departments: Departments) -> None:
    # given: only the row whose code 0101 became the number 101
    ItemTypeFactory(code="market", name="市场监管", department=departments.market)
    book = openpyxl.load_workbook(OFFICE / "catalogue-number-codes.xlsx")
    book.active.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)

    # when
    result = catalogue_import(actor=None, stream=io.BytesIO(buffer.getvalue()), name="事项.xlsx")

    # then
    assert result.created == 1
    assert result.warnings == [
        "第2行：“事项编码”该单元格为数字格式：如原代码以0开头，开头的0已丢失，请核对本行；"
        "今后请将此列设为“文本”再填写"
    ]


# ---------------------------------------------------------------- phones


def test_a_phone_number_in_e_notation_is_refused(departments: Departments) -> None:
    header = [*INSPECTOR_HEADER, "联系电话"]
    report, errors = run(
        "inspectors", csv_bytes([inspector_row(1, 联系电话="1.38E+10")], header=header)
    )

    assert report.rejected == 1
    assert errors == [["2", "联系电话", "1.38E+10", SCIENTIFIC_TEXT.format(value="1.38E+10")]]


# ------------------------------------------------------------------ the template


@pytest.mark.parametrize(
    ("kind", "headers"),
    [("entities", {"统一社会信用代码", "注册号", "行政区划代码"}), ("inspectors", {"执法证号"})],
)
def test_the_template_formats_code_columns_as_text(kind: str, headers: set[str]) -> None:
    # when
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(kind)))
    sheet = book.worksheets[0]

    # then
    text_columns = {
        cell.value
        for cell in sheet[1]
        if sheet.column_dimensions[cell.column_letter].number_format == "@"
    }
    assert headers <= text_columns
    assert "名称" not in text_columns
    assert "姓名" not in text_columns
    notes = " ".join(str(c.value) for row in book["填写说明"].iter_rows() for c in row if c.value)
    assert "CSV UTF-8" in notes
    assert "科学计数法" in notes
