"""The import columns agree with the export, the template and the documentation."""

from __future__ import annotations

from pathlib import Path

from spotcheck.directory.exports import ENTITY_COLUMNS as EXPORTED_ENTITY
from spotcheck.directory.exports import INSPECTOR_COLUMNS as EXPORTED_INSPECTOR
from spotcheck.imports.columns import ENTITY_COLUMNS, INSPECTOR_COLUMNS

DOC = Path(__file__).resolve().parents[3] / "docs" / "domain" / "directory-import.md"


def test_every_exported_column_can_be_imported_in_the_same_order() -> None:
    # then
    assert [c.header for c in ENTITY_COLUMNS][: len(EXPORTED_ENTITY)] == [
        name for name, _ in EXPORTED_ENTITY
    ]
    assert [c.header for c in INSPECTOR_COLUMNS][: len(EXPORTED_INSPECTOR)] == [
        name for name, _ in EXPORTED_INSPECTOR
    ]


def test_every_column_is_documented() -> None:
    # given
    doc = DOC.read_text(encoding="utf-8")

    # then
    missing = [c.header for c in ENTITY_COLUMNS + INSPECTOR_COLUMNS if f"| {c.header} |" not in doc]
    assert missing == []
