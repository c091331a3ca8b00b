"""Read, check and encode big CSV files in pieces, in worker processes, for COPY.

The main process cuts the file into pieces of whole records (``CHUNK_BYTES``), counts
their records so every piece knows the file row number it starts at, and hands them to
worker processes. A worker decodes and parses its piece, checks each row (the fast path
of the validator, else its full checks) and returns the rows as COPY text, ready for
the main process to stream into PostgreSQL while the workers go on. At most a few
pieces are in flight, so memory stays flat in the file size.

Cutting a CSV file needs to know which line breaks are inside quoted cells: a quote
opens a quoted cell only at the start of a cell, as Python's csv module reads it. In
UTF-8 and GB18030 the bytes of quote, comma, tab and line break never occur inside a
multi-byte character, so the cut is made on bytes. Other encodings take the single
process path. A worker checks that it parsed exactly the records the cut counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from spotcheck.core.processes import forked_pool
from spotcheck.imports.readers import (
    CsvSource,
    RawRow,
    UnreadableFile,
    csv_reason,
    decode_error,
)
from spotcheck.imports.validation import RowValidator

CHUNK_BYTES = 1 << 20
# a record longer than this cannot be real (the csv module refuses cells over 128 KiB)
MAX_RECORD_BYTES = 16 << 20
# files smaller than this are read in the importing process itself
PARALLEL_MIN_BYTES = 8 << 20
PIPELINE_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


@dataclass
class Piece:
    """Checked rows of one piece: COPY text of the staged rows and links, and the issues."""

    rows: int = 0
    with_reg_no: int = 0  # staged entity rows that have a 注册号 (fifth column)
    stage: list[str] = field(default_factory=list)
    issues: list[tuple[Any, ...]] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _encoder(kinds: list[str]) -> Callable[[tuple[Any, ...], bool], str]:
    """Build the function that turns a staged row into a line of COPY text."""
    text_columns = [i for i, kind in enumerate(kinds) if kind == "text"]

    def encode(values: tuple[Any, ...], escape: bool) -> str:
        out: list[str] = []
        append = out.append
        for value in values:
            if value is None:
                append("\\N")
            elif value.__class__ is str:
                append(value)
            elif value is True:
                append("t")
            elif value is False:
                append("f")
            elif isinstance(value, dt.date):
                append(value.isoformat())
            elif isinstance(value, int | Decimal):
                append(str(value))
            else:
                append(str(value))
        if escape:
            for i in text_columns:
                if out[i] != "\\N":
                    out[i] = _escape(out[i])
        return "\t".join(out) + "\n"

    return encode


def check_rows(validator: RowValidator, rows: Iterable[RawRow]) -> Piece:
    """Check rows and encode the accepted ones as COPY text."""
    piece = Piece(links={name: [] for name in validator.link_names})
    encode = _encoder([kind for _, kind in validator.stage_columns])
    fast = getattr(validator, "fast_line", None)
    stage, issues, links = piece.stage, piece.issues, piece.links
    for raw in rows:
        found = fast(raw) if fast is not None else None
        if found is not None:
            piece.rows += 1
            line = found[0]
            if line.split("\t", 5)[4]:
                piece.with_reg_no += 1
            stage.append(line)
            for name, text in found[1].items():
                links[name].append(text)
            continue
        result = validator.validate(raw)
        if result is None:
            continue
        piece.rows += 1
        issues.extend((i.row_no, i.column, i.value, i.reason, i.warning) for i in result.issues)
        if result.values is None:
            continue
        if validator.kind == "entities" and result.values[4]:
            piece.with_reg_no += 1
        joined = "".join(raw.cells)
        escape = "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined
        stage.append(encode(result.values, escape))
        row_no = result.values[0]
        for name, ids in result.links.items():
            links[name].append("".join([f"{row_no}\t{pk}\n" for pk in ids]))
    return piece


# --- cutting the file --------------------------------------------------------------


def _quote_pattern(delimiter: bytes) -> re.Pattern[bytes]:
    # a quoted cell (starting a record or after a delimiter; "" inside is a quote), or a
    # line break outside quotes; a quoted cell still open at the end runs to the end
    d = re.escape(delimiter)
    return re.compile(rb"(?:(?<=" + d + rb')|(?<=\n)|^)"(?:[^"]|"")*(?:"|\Z)|\n')


def _breaks(data: bytes, pattern: re.Pattern[bytes]) -> tuple[int, int]:
    """Return (count of record-ending line breaks, offset just after the last one)."""
    if b'"' not in data:
        return data.count(b"\n"), data.rfind(b"\n") + 1
    count, end = 0, 0
    for match in pattern.finditer(data):
        if match.group() == b"\n":
            count += 1
            end = match.end()
    return count, end


@dataclass(frozen=True)
class Task:
    data: bytes
    first_row: int  # file row number (record ordinal, from 1) of the piece's first record
    records: int  # how many records the cut counted in it (-1: up to the end)
    skip: int  # records at the start that are not data (the header and rows above it)
    encoding: str


def cut(source: CsvSource) -> Iterator[Task]:
    """Cut the file into pieces of whole records."""
    stream = source.stream
    stream.seek(0)
    pattern = _quote_pattern(source.delimiter.encode())
    buffer = b""
    first_row = 1
    encoding = source.encoding
    skip = source.header_row
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        buffer += block
        count, end = _breaks(buffer, pattern)
        if end == 0:
            if len(buffer) > MAX_RECORD_BYTES:
                raise UnreadableFile(
                    f"第{first_row}行无法按 CSV 读取（单元格内容过长），文件可能不是 CSV 或已损坏"
                )
            continue
        yield Task(buffer[:end], first_row, count, skip, encoding)
        buffer = buffer[end:]
        first_row += count
        skip = 0
        if encoding == "utf-8-sig":
            encoding = "utf-8"  # the BOM is only at the start
    if buffer:
        yield Task(buffer, first_row, -1, skip, encoding)


def _parse(task: Task, delimiter: str) -> Iterator[RawRow]:
    try:
        text = task.data.decode(task.encoding)
    except UnicodeDecodeError as exc:
        row_no = task.first_row + task.data.count(b"\n", 0, exc.start)
        raise decode_error(task.encoding, row_no) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_no = task.first_row - 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UnreadableFile(
                f"第{row_no + 1}行无法按 CSV 读取（{csv_reason(exc)}），文件可能不是 CSV 或已损坏"
            ) from None
        row_no += 1
        if row_no - task.first_row < task.skip:
            continue
        yield RawRow(row_no, cells)
    parsed = row_no - task.first_row + 1
    if task.records >= 0 and parsed != task.records:
        raise UnreadableFile(
            f"第{task.first_row}行至第{task.first_row + task.records}行附近无法按 CSV 读取"
            "（引号不成对），文件可能不是 CSV 或已损坏"
        )


# --- workers -----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # in each worker process: its validator and delimiter


def _start_worker(validator: RowValidator, delimiter: str) -> None:
    _WORKER["validator"] = validator
    _WORKER["delimiter"] = delimiter


def _check_piece(validator: RowValidator, delimiter: str, task: Task) -> Piece:
    piece = check_rows(validator, _parse(task, delimiter))
    # one string per table crosses between the processes far cheaper than thousands
    piece.stage = ["".join(piece.stage)]
    piece.links = {name: ["".join(lines)] for name, lines in piece.links.items()}
    return piece


def _work(task: Task) -> Piece:
    return _check_piece(_WORKER["validator"], _WORKER["delimiter"], task)


def pieces(
    source: CsvSource,
    validator: RowValidator,
    *,
    size: int,
    workers: int | None = None,
    ahead: int = 2,
) -> Iterator[Piece]:
    """Yield the checked pieces of a CSV file, in file order.

    At most ``ahead`` pieces a worker are in flight: enough to keep the workers busy
    while the caller writes what it took (a first load writes a batch at a time), and
    few enough that memory stays flat."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if (
        size < PARALLEL_MIN_BYTES
        or count < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for task in cut(source):
            yield _check_piece(validator, source.delimiter, task)
        return
    # fork: the workers inherit the validator and its reference data (nothing is
    # pickled but pieces of bytes and of text), and never touch a database connection
    with forked_pool(count, _start_worker, (validator, source.delimiter)) as pool:
        pending: deque[Any] = deque()
        for task in cut(source):
            pending.append(pool.apply_async(_work, (task,)))
            while len(pending) > ahead * count:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def usable(source: CsvSource | None) -> bool:
    return source is not None and source.encoding in PIPELINE_ENCODINGS


def write_copy(cursor: Any, table: str, columns: str, lines: list[str]) -> None:
    if not lines:
        return
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(lines))
