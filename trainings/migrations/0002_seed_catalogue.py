"""The Centre's course catalogue, from trainings/seeds.py (shared with the tests)."""

from django.db import migrations

from trainings.seeds import seed_catalogue, unseed_catalogue


def seed(apps, schema_editor):
    seed_catalogue(apps)


def unseed(apps, schema_editor):
    unseed_catalogue(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("trainings", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
