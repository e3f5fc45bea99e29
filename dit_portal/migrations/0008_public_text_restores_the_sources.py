"""The patients' and overseas pages put back what the sources say: see dit_portal/seeds_text_sources.py."""

from django.db import migrations

from dit_portal.seeds_text_sources import restore_source_text, undo_source_text


def forwards(apps, schema_editor):
    restore_source_text(apps)


def backwards(apps, schema_editor):
    undo_source_text(apps)


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_outgoing_email")]
    operations = [migrations.RunPython(forwards, backwards)]
