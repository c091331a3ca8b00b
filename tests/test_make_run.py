"""`make run` serves the product as it is used; `make dev` is the developers' variant.

The recipes are read with `make -n` (nothing is run or installed); the server itself was
started by hand with them (see the commit that introduced this file).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _recipe(target: str, *variables: str) -> list[str]:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed")
    out = subprocess.run(  # noqa: S603 -- our own Makefile, dry run
        [make, "-n", "-o", "install", target, *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()


def _serve_line(lines: list[str]) -> str:
    (line,) = [line for line in lines if "manage.py runserver" in line]
    return line


def test_make_run_collects_static_files_prints_the_logins_and_serves_with_debug_off() -> None:
    # given / when
    lines = _recipe("run", "HOST=10.1.2.3", "PORT=8123")

    # then
    commands = [line.split("manage.py ")[1].split()[0] for line in lines if "manage.py " in line]
    assert commands[:5] == ["migrate", "collectstatic", "calendar_load", "demo_load", "demo_logins"]
    serve = _serve_line(lines)
    assert serve.startswith(
        'export DEBUG=false ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost},10.1.2.3";'
    )
    assert serve.endswith("manage.py runserver 10.1.2.3:8123")


def test_make_run_on_every_address_answers_to_the_machines_names() -> None:
    # given / when
    serve = _serve_line(_recipe("run", "HOST=0.0.0.0"))

    # then
    assert 'ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost},0.0.0.0,$(hostname),' in serve


def test_make_dev_is_the_same_with_debug_on() -> None:
    # given / when
    run, dev = _recipe("run"), _recipe("dev")

    # then
    assert [line.replace("DEBUG=false", "DEBUG=true") for line in run] == dev
    assert "export DEBUG=true " in _serve_line(dev)
