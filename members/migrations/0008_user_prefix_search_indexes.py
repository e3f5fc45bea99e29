"""Indexes for the admin's prefix search on people (the start of an e-mail address or a
name, case-insensitive: `UPPER(column::text) LIKE UPPER('q%')`). text_pattern_ops lets
PostgreSQL use them whatever the database's collation. SQLite, for local runs, goes
without: its tables are small."""

from django.db import migrations

INDEXES = {
    "members_user_email_prefix": "email",
    "members_user_full_name_prefix": "full_name",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "members_user" (UPPER("{column}"::text) text_pattern_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("members", "0007_merge_20261122_1010")]
    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
