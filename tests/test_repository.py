"""Promises the repository makes about itself: documented configuration, README commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_READERS = {"env_str", "env_bool", "env_int", "env_list", "env_choice", "env_secret"}


def _variables_read_in_config() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_config_reads_the_expected_variables() -> None:
    # guards the parser below: if it found nothing, the other tests would pass vacuously
    assert {"SECRET_KEY", "DATABASE_URL", "SPOTCHECK_ENV"} <= _variables_read_in_config()


def test_every_variable_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert _variables_read_in_config() - listed == set()


def test_every_variable_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")

    missing = {name for name in _variables_read_in_config() if f"`{name}`" not in doc}

    assert missing == set()


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "make run" in readme
    assert "make test" in readme
