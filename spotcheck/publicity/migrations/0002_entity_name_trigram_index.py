"""A trigram index on enterprise names for the public look-up, on PostgreSQL only.

pg_trgm indexes Chinese text when the database's LC_CTYPE is a UTF-8 locale (e.g.
C.UTF-8); ``name ILIKE '%…%'`` then uses the index for any query of three or more
characters.  The index is on ``UPPER(name)`` because that is the expression
Django's ``icontains`` compares on PostgreSQL.  SQLite has no such index: the look-up there scans the names, which is
fine at the sizes an embedded installation holds.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class PostgresOnlyRunSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the directory stays writable meanwhile

    dependencies = [
        ("publicity", "0001_initial"),
        ("directory", "__first__"),
    ]

    operations = [
        PostgresOnlyRunSQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgresOnlyRunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS directory_entity_name_trgm "
                "ON directory_entity USING gin ((UPPER(name::text)) gin_trgm_ops)"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS directory_entity_name_trgm",
        ),
    ]
