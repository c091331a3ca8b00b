"""Statistics tables as an Excel workbook: one sheet per figure."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from spotcheck.directory.exports import safe_cell
from spotcheck.stats.selectors import Figure


def figures_xlsx(figures: Sequence[Figure], *, caption: str) -> bytes:
    """Write each figure's table on a sheet of its own, under a caption of the filters."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for figure in figures:
        sheet = book.create_sheet(title=figure.title[:31])
        sheet.append([figure.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([caption])
        sheet.append([])
        sheet.append(figure.columns)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in figure.rows:
            sheet.append([safe_cell(v) if v is not None else "" for v in row])
        if figure.note:
            sheet.append([])
            sheet.append([f"说明：{figure.note}"])
        for column, header in zip(sheet.columns, figure.columns, strict=False):
            width = max(len(str(header)), *(len(str(c.value or "")) for c in column[3:]))
            sheet.column_dimensions[column[0].column_letter].width = min(60, width * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
