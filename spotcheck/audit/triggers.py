"""The database triggers that make the audit table append-only, per database vendor.

Installed by migration ``audit.0003``.  ``lifted()`` removes them for the length of a
block and puts them back: only the ``flush`` command (tests and development; refused in
production) and the tamper test use it.  Whoever can run it owns the database anyway;
the triggers stop the platform's own code, the admin and a careless SQL console, and the
hash chain catches what gets past them (``manage.py audit_verify``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "audit_auditevent is append-only"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
]
_POSTGRESQL_DROP_FUNCTION = [f"DROP FUNCTION IF EXISTS {TABLE}_refuse()"]

_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]


def install_statements(vendor: str) -> list[str]:
    """Return the SQL that installs the triggers on this vendor's database."""
    if vendor == "postgresql":
        return _POSTGRESQL_REMOVE + _POSTGRESQL_INSTALL
    if vendor == "sqlite":
        return _SQLITE_INSTALL
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def remove_statements(vendor: str, *, drop_function: bool = False) -> list[str]:
    """Return the SQL that removes the triggers."""
    if vendor == "postgresql":
        return _POSTGRESQL_REMOVE + (_POSTGRESQL_DROP_FUNCTION if drop_function else [])
    if vendor == "sqlite":
        return _SQLITE_REMOVE
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(connection, install_statements(connection.vendor))


def remove(connection: Any) -> None:
    _run(connection, remove_statements(connection.vendor))


def installed(connection: Any) -> set[str]:
    """Return the names of the append-only triggers present on the table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Remove the triggers for the block; put them back afterwards, even on error."""
    remove(connection)
    try:
        yield
    finally:
        install(connection)
