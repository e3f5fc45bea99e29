"""Public text that follows the sources (D18: NICE and PALS; the DIT/IPT comparison; contact
links; promises the portal keeps): see dit_portal/seeds_text.py, shared with the tests."""

from django.db import migrations

from dit_portal.seeds_text import follow_the_sources, restore_earlier_text


def forwards(apps, schema_editor):
    follow_the_sources(apps)


def backwards(apps, schema_editor):
    restore_earlier_text(apps)


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_audit_log_indexes_for_the_admin")]
    operations = [migrations.RunPython(forwards, backwards)]
