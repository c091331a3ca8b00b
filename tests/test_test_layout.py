"""Where test code lives: fixtures in conftest.py files, builders in factories and helpers.

No test module imports another test module or a conftest.py (pytest finds fixtures by
itself; builders are imported from ``tests/factories.py``, a ``*helpers*``/``*setup*``
module or ``spotcheck.testing``), and production code imports no test code at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python_files() -> Iterator[Path]:
    for top in ("spotcheck", "tests"):
        yield from sorted((ROOT / top).rglob("*.py"))


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, dotted name) for every import in ``path``, function-level ones too.

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c``: ``c`` may be a module.
    """
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _is_test_support(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return (
        parts[0] == "tests"
        or "tests" in parts
        or path.name == "conftest.py"
        or parts[:2] == ("spotcheck", "testing")
    )


def _names_a_test_module(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def _names_test_code(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "tests" or "tests" in parts or parts[:2] == ["spotcheck", "testing"]


def test_the_walk_sees_test_modules_and_production_code() -> None:
    # guards the checks below: if the walk found nothing, they would pass vacuously
    files = list(_python_files())
    assert any(p.name == "test_test_layout.py" for p in files)
    assert any(p.name == "conftest.py" for p in files)
    assert any(not _is_test_support(p) for p in files)
    conftest = ROOT / "spotcheck" / "conftest.py"
    assert "spotcheck.testing.personas" in {name for _, name in _imported_modules(conftest)}


def test_no_module_imports_a_test_module_or_a_conftest() -> None:
    found = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in _python_files()
            for line, name in _imported_modules(path)
            if _names_a_test_module(name)
        }
    )

    assert found == []


def test_production_code_imports_no_test_code() -> None:
    found = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in _python_files()
            if not _is_test_support(path)
            for line, name in _imported_modules(path)
            if _names_test_code(name)
        }
    )

    assert found == []
