from django.db import migrations

from reading_list.seed import remove_reading_list, seed_reading_list


def forwards(apps, schema_editor):
    seed_reading_list(apps.get_model("reading_list", "Topic"), apps.get_model("reading_list", "Reference"))


def backwards(apps, schema_editor):
    remove_reading_list(apps.get_model("reading_list", "Topic"), apps.get_model("reading_list", "Reference"))


class Migration(migrations.Migration):
    dependencies = [("reading_list", "0001_references")]
    operations = [migrations.RunPython(forwards, backwards)]
