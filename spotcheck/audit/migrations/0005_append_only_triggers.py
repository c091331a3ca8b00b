"""The database refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) of audit entries."""

from django.db import migrations

from spotcheck.audit import triggers


def install(apps, schema_editor):
    for statement in triggers.install_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in triggers.remove_statements(vendor, drop_function=True):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_constraints")]

    operations = [migrations.RunPython(install, remove)]
