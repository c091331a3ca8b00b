"""Backups restore into a working database whose audit chain still verifies.

PostgreSQL: ``pg_dump -Fc`` of the test database, ``pg_restore`` into a scratch database,
then ``audit_verify`` against the copy and a check that its triggers came back too.
SQLite: a consistent copy of the file with SQLite's online backup (``sqlite3 .backup``),
which is safe while the platform is running (a plain ``cp`` is not, with WAL).
The commands are the ones docs/operations.md gives.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction

from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    return subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _tool(name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program found on PATH."""
    path = shutil.which(name)
    assert path is not None, f"{name} is not installed"
    return subprocess.run(  # noqa: S603 -- fixed programs, arguments from the test
        [path, *args], capture_output=True, text=True, check=check, timeout=300
    )


def _write_entries(count: int) -> str:
    with transaction.atomic():
        events = [
            audit_record(actor=None, event_type="backup.test", data={"n": n, "名称": "备份"})
            for n in range(count)
        ]
    return events[-1].entry_hash


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_dump_restores_with_a_verifying_chain_and_its_triggers(
    tmp_path: Path,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump needs PostgreSQL")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    # given
    head = _write_entries(3)
    seq = AuditEvent.objects.order_by("-seq").first().seq  # type: ignore[union-attr]
    source = connection.settings_dict
    scratch = f"{source['NAME']}_restore"
    conn = [
        "-h",
        source["HOST"] or "127.0.0.1",
        "-p",
        str(source["PORT"] or 5432),
        "-U",
        source["USER"],
    ]
    dump = tmp_path / "spotcheck.dump"
    _tool("dropdb", *conn, "--if-exists", scratch)
    _tool("pg_dump", *conn, "-Fc", "-f", str(dump), source["NAME"])

    # when
    _tool("createdb", *conn, scratch)
    try:
        _tool("pg_restore", *conn, "--no-owner", "-d", scratch, str(dump))
        url = f"postgres://{source['USER']}@{conn[1]}:{conn[3]}/{scratch}"
        verified = _manage("audit_verify", f"--anchor={seq}:{head}", database_url=url)
        tamper = _tool(
            "psql",
            *conn,
            "-d",
            scratch,
            "-c",
            "UPDATE audit_auditevent SET data = '{}'",
            check=False,
        )
    finally:
        _tool("dropdb", *conn, "--if-exists", scratch)

    # then
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"审计链完整：共 {seq} 条；末条 {seq}:{head}")
    assert tamper.returncode != 0
    assert "audit_auditevent is append-only: UPDATE refused" in tamper.stderr


def test_a_sqlite_online_backup_copy_verifies(tmp_path: Path) -> None:
    # given: a database file with a chain (the calendar load writes audit entries)
    live = tmp_path / "spotcheck.sqlite3"
    url = f"sqlite:///{live}"
    assert _manage("migrate", "--noinput", database_url=url).returncode == 0
    loaded = _manage("calendar_load", database_url=url)
    assert loaded.returncode == 0, loaded.stderr
    copy = tmp_path / "backup.sqlite3"

    # when: what `sqlite3 var/spotcheck.sqlite3 ".backup backup.sqlite3"` does
    with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    verified = _manage("audit_verify", database_url=f"sqlite:///{copy}")

    # then
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("审计链完整：共 ")
    with sqlite3.connect(copy) as restored:
        triggers = sorted(
            row[0]
            for row in restored.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
        )
    assert triggers == ["audit_auditevent_no_delete", "audit_auditevent_no_update"]
