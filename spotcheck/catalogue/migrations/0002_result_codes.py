"""Load the national result code table (reference data every installation needs)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from spotcheck.catalogue.result_codes import RESULT_CODES

    result_code = apps.get_model("catalogue", "ResultCode")
    created: dict[str, Any] = {}
    for sort, (code, label, parent, flags) in enumerate(RESULT_CODES, start=1):
        created[code] = result_code.objects.create(
            code=code,
            label=label,
            parent=created[parent] if parent else None,
            exclusive="exclusive" in flags,
            requires_child="requires_child" in flags,
            terminal="terminal" in flags,
            needs_follow_up="follow_up" in flags,
            abnormal_list="abnormal" in flags,
            sort=sort,
        )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("catalogue", "ResultCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
