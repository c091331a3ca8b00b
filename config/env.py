"""Typed readers for environment variables that fail loudly on malformed values.

Every variable read here is listed in ``.env.example`` and ``docs/configuration.md``;
``tests/test_repository.py`` keeps the three in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    """Read a string; with ``required`` a missing value stops start-up naming the variable."""
    value = _raw(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"缺少必需的环境变量 {name}（missing required {name}）")
        if default is None:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置且没有默认值")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean written as 1/0, true/false, yes/no or on/off."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name}={value!r} 不是布尔值（应为 true/false、1/0）")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read an integer, optionally bounded below."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name}={value!r} 不是整数") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"环境变量 {name}={number} 小于允许的最小值 {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blanks around items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of values."""
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"环境变量 {name}={value!r} 无效，可选值：{', '.join(choices)}")
    return value


def generated_secret(path: Path) -> str:
    """Return the random secret kept in ``path``, writing a new one there the first time.

    The file is created whole or not at all (written aside, then linked into place), so
    processes starting together all read the same secret.
    """
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process was first: its secret is kept
        finally:
            aside.unlink()
    return path.read_text(encoding="utf-8").strip()


def env_secret(
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    generated: Path | None = None,
) -> str:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``.

    Without either, ``generated`` names a file holding a random secret made on first use
    (``generated_secret``).
    """
    if generated is not None and _raw(name) is None and _raw(f"{name}_FILE") is None:
        return generated_secret(generated)
    file_name = _raw(f"{name}_FILE")
    if file_name is not None:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE 指向的文件不存在：{file_name}")
        secret = path.read_text(encoding="utf-8").strip()
        if not secret:
            raise ImproperlyConfigured(f"{name}_FILE 指向的文件为空：{file_name}")
        return secret
    return env_str(name, default, required=required)
