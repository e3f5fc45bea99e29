from django.db import migrations

from members.seed import remove_networks, seed_networks


def forwards(apps, schema_editor):
    seed_networks(apps.get_model("members", "Network"), apps.get_model("members", "NetworkContact"))


def backwards(apps, schema_editor):
    remove_networks(apps.get_model("members", "Network"), apps.get_model("members", "NetworkContact"))


class Migration(migrations.Migration):
    dependencies = [("members", "0004_members_area_and_networks")]
    operations = [migrations.RunPython(forwards, backwards)]
