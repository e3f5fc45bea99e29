"""The 20-day programme accepts registration bodies other than BACP, UKCP and HCPC case by
case (DOMAIN.md D17): such an application goes to the coordinators with the reason."""

from django.db import migrations

COURSE = "20-day-dit-programme"
TITLE = "Professional registration"
OLD_HELP = (
    "Registered with another body? Please contact the Centre before applying: other bodies are considered case by case."
)
NEW_HELP = "Registered with another body? Choose “Another body”: the coordinators consider it case by case."


def mark_case_by_case(apps, schema_editor):
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    EntryRequirement.objects.filter(course__slug=COURSE, title=TITLE).update(case_by_case=True, help_text=NEW_HELP)


def unmark(apps, schema_editor):
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    EntryRequirement.objects.filter(course__slug=COURSE, title=TITLE).update(case_by_case=False, help_text=OLD_HELP)


class Migration(migrations.Migration):
    dependencies = [("trainings", "0007_trainee_information_and_case_by_case")]
    operations = [migrations.RunPython(mark_case_by_case, unmark)]
