"""The role groups, from members/seeds.py (shared with the tests)."""

from django.db import migrations

from members.seeds import seed_roles, unseed_roles


def create_roles(apps, schema_editor):
    seed_roles(apps)


def remove_roles(apps, schema_editor):
    unseed_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
