"""Permissions read "Can change application" like the rest of the admin. Django names a
model's permissions when it first creates them and never renames them afterwards."""

from django.db import migrations

NAMES = {"enrolment": ("application", "enrolment"), "enrolmentanswer": ("answer", "enrolment answer")}


def rename(apps, schema_editor, *, forwards=True):
    Permission = apps.get_model("auth", "Permission")
    for model, (new, old) in NAMES.items():
        for action in ("add", "change", "delete", "view"):
            name = f"Can {action} {new if forwards else old}"
            Permission.objects.filter(content_type__app_label="trainings", codename=f"{action}_{model}").update(name=name)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0008_one_application_per_waitlist_position"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(rename, backwards)]
