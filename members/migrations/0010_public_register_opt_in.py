"""The register's opt-in on the profile, and the indexes its searches use: the people who
opted in (partial), and the start of a region, case-insensitive (`UPPER(region::text) LIKE
UPPER('q%')`, text_pattern_ops whatever the collation, as 0008 does for names; PostgreSQL
only, SQLite's local tables are small)."""

from django.db import migrations, models


def create_region_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "members_profile_region_prefix" '
            'ON "members_personprofile" (UPPER("region"::text) text_pattern_ops)'
        )


def drop_region_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "members_profile_region_prefix"')


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_contact_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="personprofile",
            name="on_register",
            field=models.BooleanField(
                default=False,
                help_text="Employers can then find your name, region and the DIT credentials you hold now (never your e-mail address). Untick it to leave the register at once.",
                verbose_name="list me on the public register",
            ),
        ),
        migrations.AddIndex(
            model_name="personprofile",
            index=models.Index(
                condition=models.Q(("on_register", True)), fields=["person"], name="profile_on_register"
            ),
        ),
        migrations.RunPython(create_region_index, drop_region_index, elidable=False),
    ]
