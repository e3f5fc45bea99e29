"""A trigram index on people's names, so the admin finds a surname anywhere in a full name
(`UPPER(full_name::text) LIKE UPPER('%brown%')`) without reading every person
(members/search.py). pg_trgm is a trusted extension: the database's owner may create it.
SQLite, for local runs, goes without: its tables are small."""

from django.db import migrations

INDEX = "members_user_full_name_trigram"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "members_user" USING gin (UPPER("full_name"::text) gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("members", "0010_public_register_opt_in")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
