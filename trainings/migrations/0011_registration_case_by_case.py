"""The 20-day programme's registration body is judged case by case (D17): see
trainings/seeds_case_by_case.py, shared with the tests."""

from django.db import migrations

from trainings.seeds_case_by_case import mark_case_by_case, unmark_case_by_case


def forwards(apps, schema_editor):
    mark_case_by_case(apps)


def backwards(apps, schema_editor):
    unmark_case_by_case(apps)


class Migration(migrations.Migration):
    dependencies = [("trainings", "0010_trainee_information_and_case_by_case")]
    operations = [migrations.RunPython(forwards, backwards)]
