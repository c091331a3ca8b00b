"""Files of published results: CSV (UTF-8 with BOM, for Excel), XLSX and JSON.

The rows are the gsxt 双随机抽查结果信息 records (``gsxt.record``), the same data the
outbox sends.  CSV and JSON are streamed, so a year of a large province does not have
to fit in memory; XLSX is built in a write-only workbook.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from spotcheck.directory.exports import safe_cell
from spotcheck.publicity import gsxt
from spotcheck.publicity.models import ResultPublication

FORMATS = ("csv", "xlsx", "json")
XLSX_MAX_ROWS = 1_048_575  # one sheet's limit, less the header


class _Echo:
    def write(self, value: str) -> str:
        return value


def _records(qs: Any) -> Iterator[dict[str, Any]]:
    publications: Iterable[ResultPublication] = qs.iterator(chunk_size=2000)
    for publication in publications:
        yield gsxt.record(publication)


def csv_stream(qs: Any) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow([header for _, header, _ in gsxt.COLUMNS]).encode()
    for record in _records(qs):
        yield writer.writerow([safe_cell(get(record)) for _, _, get in gsxt.COLUMNS]).encode()


def json_stream(qs: Any) -> Iterator[bytes]:
    yield f'{{"schema": "{gsxt.SCHEMA}", "results": ['.encode()
    for i, record in enumerate(_records(qs)):
        yield (("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False)).encode()
    yield b"\n]}\n"


def xlsx_bytes(qs: Any) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("双随机抽查结果信息")
    sheet.append([header for _, header, _ in gsxt.COLUMNS])
    for n, record in enumerate(_records(qs)):
        if n >= XLSX_MAX_ROWS:
            break
        sheet.append([safe_cell(get(record)) for _, _, get in gsxt.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def response(qs: Any, fmt: str, basename: str) -> HttpResponse | StreamingHttpResponse:
    """A download of ``qs`` in ``fmt`` named ``basename.fmt``."""
    result: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        result = StreamingHttpResponse(csv_stream(qs), content_type=_TYPES[fmt])
    elif fmt == "json":
        result = StreamingHttpResponse(json_stream(qs), content_type=_TYPES[fmt])
    else:
        result = HttpResponse(xlsx_bytes(qs), content_type=_TYPES[fmt])
    result["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    return result
