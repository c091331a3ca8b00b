"""spotcheck/core stays framework-free (house style 2.3 item 1): no module imports Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"


def django_imports(source: str) -> list[str]:
    """Return every import of django in the source, at any depth (functions, ifs, try)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "django"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "django":
                found.append(node.module)
    return found


def _core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_no_module_under_core_imports_django() -> None:
    # given
    modules = _core_modules()

    # when
    offenders = {
        str(path.relative_to(CORE)): imports
        for path in modules
        if (imports := django_imports(path.read_text(encoding="utf-8")))
    }

    # then
    assert len(modules) > 5  # the walk really found the package
    assert offenders == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import django", ["django"]),
        ("import os, django.conf as conf", ["django.conf"]),
        ("from django.db import models", ["django.db"]),
        ("def f():\n    if True:\n        from django.utils import timezone\n", ["django.utils"]),
        ("try:\n    import django\nexcept ImportError:\n    pass\n", ["django"]),
        ("class A:\n    def m(self):\n        import django.core\n", ["django.core"]),
        ("import djangorestframework_like\nfrom . import django", []),
        ("from .django import helpers\nimport os", []),
    ],
)
def test_the_import_check_sees_django_imports_at_any_depth(
    source: str, expected: list[str]
) -> None:
    # given / when
    found = django_imports(source)

    # then
    assert found == expected
