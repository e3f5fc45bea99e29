from django.db import migrations


def seed_thresholds(apps, schema_editor):
    from accreditation.thresholds import seed

    seed(apps.get_model("accreditation", "Threshold"))


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0001_initial")]

    operations = [migrations.RunPython(seed_thresholds, migrations.RunPython.noop)]
