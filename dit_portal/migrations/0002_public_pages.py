"""The public pages and FAQs, from dit_portal/seeds.py (shared with the tests)."""

from django.db import migrations

from dit_portal.seeds import seed_public_pages, unseed_public_pages


def create_pages(apps, schema_editor):
    seed_public_pages(apps)


def remove_pages(apps, schema_editor):
    unseed_public_pages(apps)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(create_pages, remove_pages)]
