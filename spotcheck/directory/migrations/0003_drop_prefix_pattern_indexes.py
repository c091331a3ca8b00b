"""Drop the ``varchar_pattern_ops`` twins PostgreSQL got for four entity columns.

Django adds a ``…_like`` index beside every indexed ``CharField`` on PostgreSQL so that
``LIKE 'prefix%'`` can use an index under a non-C collation. The platform never looks these
columns up by prefix: names are searched through the trigram index, codes, 注册号 and risk
classes by equality. The twins only cost writes (about 2.7 s of a first load of 1,000,000
entities, see docs/performance.md). Other databases never had them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PATTERN_INDEXES = {
    "directory_entity_name_d3515de8_like": "name",
    "directory_entity_reg_no_c7c9c11d_like": "reg_no",
    "directory_entity_risk_class_8f4a066d_like": "risk_class",
    "directory_entity_uscc_41f68c3a_like": "uscc",
}


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in PATTERN_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def restore(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in PATTERN_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON directory_entity"
            f" ({column} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_avoidance_declared_by_blank")]

    operations = [migrations.RunPython(drop, restore)]
