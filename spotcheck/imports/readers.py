"""Read CSV and XLSX directory files as rows of text, streaming, with clear Chinese errors.

The format is decided by the file's first bytes, not by its name; a name that
contradicts the content is refused so the user knows what they uploaded. CSV text is
UTF-8 (with or without BOM) or GB18030 (a superset of GBK, what Chinese Excel and WPS
write), detected from the first megabyte, or whatever ``encoding`` says.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl

from spotcheck.imports.columns import header_key

SAMPLE_BYTES = 1 << 20
MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 5
_MIXED_AFTER_CHARS = 8
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# A workbook is a zip of XML. Real ones inflate 5 to 30 times; a member that inflates
# far more than that to a large size is a crafted "zip bomb", refused before reading.
MAX_XLSX_INFLATED = 2 << 30
MAX_XLSX_RATIO = 200
_XLSX_RATIO_FROM = 64 << 20
# spreadsheets keep 15 significant digits of a number: a larger one has lost digits
_EXACT_NUMBER_LIMIT = 10**15


class UnreadableFile(Exception):
    """The file cannot be read as a directory table; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RawRow:
    """One data row as the spreadsheet user sees it: row number and cell texts."""

    row_no: int
    cells: list[str]
    formula_columns: tuple[int, ...] = ()
    # cells the spreadsheet stored as numbers (not text): a code there may have lost
    # leading zeros, or digits beyond the 15th (then its text is in E notation)
    number_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class CsvSource:
    """What it takes to read a CSV file again from its bytes (see ``pipeline.py``)."""

    stream: IO[bytes]
    encoding: str
    delimiter: str
    header_row: int


@dataclass
class Table:
    """An opened file: where the header was found, the header cells and the rows."""

    description: str
    header: list[str]
    header_row: int
    rows: Iterator[RawRow]
    total_estimate: int
    closers: list[Callable[[], None]] = field(default_factory=list)
    size: int = 0
    csv_source: CsvSource | None = None

    def close(self) -> None:
        for close in self.closers:
            close()


def open_table(
    stream: IO[bytes], name: str, *, known_headers: set[str], encoding: str = ""
) -> Table:
    """Open a CSV or XLSX file and find its header row among the first few rows."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise UnreadableFile("文件是空的（0 字节），请检查是否选错了文件")
    head = stream.read(8)
    stream.seek(0)
    is_excel_name = name.lower().endswith(_EXCEL_SUFFIXES)
    if head.startswith(_ZIP_MAGIC):
        if not is_excel_name:
            raise UnreadableFile(
                "文件内容是 Excel 工作簿（.xlsx），但扩展名不是 .xlsx，"
                "请把扩展名改为 .xlsx 后重新导入"
            )
        return _open_xlsx(stream, known_headers)
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "这是旧版 Excel（.xls）或加密的工作簿，无法读取：请在 Excel/WPS 中另存为"
            "“Excel 工作簿（.xlsx）”或“CSV UTF-8”并取消密码后重新导入"
        )
    if is_excel_name:
        raise UnreadableFile(
            "文件扩展名是 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的 CSV 文本，"
            "或文件已损坏）：如是 CSV，请把扩展名改为 .csv 后重新导入"
        )
    return _open_csv(stream, size, known_headers, encoding)


# --- CSV ---------------------------------------------------------------------------


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # a text file may carry a stray NUL (reported with its row and column); a file full
    # of them is binary
    if sample.count(b"\x00") > max(16, len(sample) // 1000):
        raise UnreadableFile(
            "文件既不是 CSV 文本，也不是 Excel 工作簿（含有二进制内容），请检查是否选错了文件"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError as exc:
        prefix = sample[: exc.start].decode("utf-8")
        # a long stretch of Chinese in valid UTF-8 does not happen by chance in GBK text:
        # the file was UTF-8 and something in another encoding was pasted into it
        if sum(1 for ch in prefix if ord(ch) > 0x7F) >= _MIXED_AFTER_CHARS:
            raise decode_error("utf-8", sample[: exc.start].count(b"\n") + 1) from None
    else:
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "gb18030"
    raise UnreadableFile(
        "无法识别文件编码（既不是 UTF-8 也不是 GB18030/GBK）：请在 Excel/WPS 中另存为"
        "“CSV UTF-8”后重新导入，或在导入时指定编码"
    )


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise UnreadableFile(f"不认识的编码“{encoding}”：可选 UTF-8、GB18030、GBK") from None


def _encoding_label(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8（带 BOM）", "utf-8": "UTF-8", "gb18030": "GB18030/GBK"}.get(
        encoding, encoding.upper()
    )


def _open_csv(stream: IO[bytes], size: int, known_headers: set[str], encoding: str) -> Table:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    chosen = _check_encoding(encoding) if encoding else _detect_encoding(sample)
    if chosen == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    text = io.TextIOWrapper(stream, encoding=chosen, newline="", errors="strict")
    try:
        first_line = text.readline()
    except UnicodeDecodeError:
        raise decode_error(chosen, 1) from None
    text.seek(0)
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(text, delimiter=delimiter)
    position = {"row": 0}

    def records() -> Iterator[list[str]]:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise decode_error(chosen, position["row"] + 1) from None
            except csv.Error as exc:
                raise UnreadableFile(
                    f"第{position['row'] + 1}行无法按 CSV 读取（{csv_reason(exc)}），"
                    "文件可能不是 CSV 或已损坏"
                ) from None
            position["row"] += 1
            yield record

    source = records()
    header, header_row, leading = _find_header(source, known_headers)
    total = _estimate_csv_rows(stream, size, sample) - header_row

    def rows() -> Iterator[RawRow]:
        for row_no, cells in leading:
            yield RawRow(row_no, cells)
        for cells in source:
            yield RawRow(position["row"], cells)

    description = f"CSV 文件（{_encoding_label(chosen)}）"
    # records end with a line feed (not a lone carriage return): the file can be cut
    again = CsvSource(stream, chosen, delimiter, header_row) if b"\n" in sample else None
    return Table(description, header, header_row, rows(), max(total, 0), [text.detach], size, again)


def csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return "单元格内容过长"
    if "NUL" in message:
        return "含有空字符"
    return "格式错误"


def decode_error(encoding: str, row_no: int) -> UnreadableFile:
    return UnreadableFile(
        f"第{row_no}行附近的内容不是 {_encoding_label(encoding)} 编码：文件可能混用了多种编码"
        "或已损坏。请用 Excel/WPS 另存为“CSV UTF-8”后重新导入，或在导入时指定编码"
    )


def _estimate_csv_rows(stream: IO[bytes], size: int, sample: bytes) -> int:
    """Estimate the number of lines without reading a big file twice."""
    lines = sample.count(b"\n")
    if size <= len(sample) or not sample:
        return lines + (0 if sample.endswith(b"\n") else 1)
    return int(lines * size / len(sample))


# --- header ------------------------------------------------------------------------


def _find_header(
    records: Iterator[list[str]], known_headers: set[str]
) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """Find the header among the first rows (a title row above it is allowed)."""
    seen: list[list[str]] = []
    for row_no, cells in enumerate(records, start=1):
        if _hits(cells, known_headers) >= 2:
            return _trimmed_header(cells), row_no, []
        seen.append(cells)
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if not seen or all(not any(str(c).strip() for c in cells) for cells in seen):
        raise UnreadableFile("文件中没有内容（没有表头，也没有数据行）")
    found = "、".join(str(c)[:20] for c in seen[0][:8] if str(c).strip()) or "（空）"
    raise UnreadableFile(
        f"前{len(seen)}行中没有找到表头：第1行为“{found[:200]}”。请使用下载的导入模板，"
        "表头须为中文列名，如“统一社会信用代码”“名称”或“姓名”“执法证号”"
    )


def _trimmed_header(cells: list[Any]) -> list[str]:
    header = [_cell_text(c) for c in cells]
    while header and not header[-1].strip():
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(f"表头有{len(header)}列，超过上限{MAX_COLUMNS}列")
    return header


def _hits(cells: list[Any], known_headers: set[str]) -> int:
    return sum(1 for c in cells[:MAX_COLUMNS] if header_key(c) in known_headers)


# --- XLSX --------------------------------------------------------------------------


def _refuse_zip_bomb(stream: IO[bytes]) -> None:
    """Refuse a workbook whose parts inflate to an implausible size, before parsing."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return  # said precisely when openpyxl opens it
    finally:
        stream.seek(0)
    inflated = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > _XLSX_RATIO_FROM and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if inflated > MAX_XLSX_INFLATED or bomb:
        raise UnreadableFile(
            f"Excel 工作簿过大或格式异常：解压后约 {inflated >> 20} MB，远超正常工作簿"
            "（可能已损坏或是特意构造的文件），无法导入。请在 Excel/WPS 中打开并另存为 .xlsx，"
            "或另存为“CSV UTF-8”后重新导入"
        )


def _open_xlsx(stream: IO[bytes], known_headers: set[str]) -> Table:
    _refuse_zip_bomb(stream)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except zipfile.BadZipFile:
        raise UnreadableFile(
            "Excel 文件已损坏或不完整（可能没有上传完整），请重新保存后再导入"
        ) from None
    except Exception:  # openpyxl raises many kinds of errors on broken files
        raise UnreadableFile(
            "无法读取该 Excel 文件（格式损坏或不是标准的 .xlsx），"
            "请在 Excel/WPS 中另存为 .xlsx 后重新导入"
        ) from None
    try:
        return _xlsx_table(workbook, known_headers)
    except UnreadableFile:
        workbook.close()
        raise
    except Exception:
        workbook.close()
        raise UnreadableFile(
            "Excel 文件内容已损坏或不完整（可能没有上传完整），请重新保存后再导入"
        ) from None


def _xlsx_table(workbook: Any, known_headers: set[str]) -> Table:
    best: tuple[int, Any, int, list[str]] | None = None
    titles = []
    for sheet in workbook.worksheets:
        titles.append(sheet.title)
        for row_no, row in enumerate(
            sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            hits = _hits(list(row), known_headers)
            if hits >= 2 and (best is None or hits > best[0]):
                best = (hits, sheet, row_no, _trimmed_header(list(row)))
                break
    if best is None:
        raise UnreadableFile(
            f"工作簿中没有找到导入表头（工作表：{'、'.join(titles)[:200]}）：请把数据放在使用导入模板"
            "表头的工作表中，表头须为中文列名，如“统一社会信用代码”“名称”或“姓名”“执法证号”"
        )
    _, sheet, header_row, header = best
    total = max((sheet.max_row or 0) - header_row, 0)

    def rows() -> Iterator[RawRow]:
        for row_no, row in enumerate(sheet.iter_rows(min_row=header_row + 1), start=header_row + 1):
            cells = []
            formulas = []
            numbers = []
            for index, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" and value is not None:
                    formulas.append(index)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    numbers.append(index)
                cells.append(_cell_text(value))
            yield RawRow(row_no, cells, tuple(formulas), tuple(numbers))

    description = f"Excel 工作簿，工作表“{sheet.title}”"
    return Table(description, header, header_row, rows(), total, [workbook.close])


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and abs(value) >= _EXACT_NUMBER_LIMIT:
        # the digits past the 15th are gone: show the number as the spreadsheet keeps
        # it (1.3018320261207E+20), never as an integer with invented digits
        return f"{value:.15G}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
