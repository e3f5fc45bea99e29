from django.db import migrations


def create_sequence(apps, schema_editor):
    CertificateSequence = apps.get_model("certificates", "CertificateSequence")
    CertificateSequence.objects.get_or_create(name="certificates", defaults={"last_number": 0})


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_certificates_and_numbering")]

    operations = [migrations.RunPython(create_sequence, migrations.RunPython.noop)]
