"""The 20-day programme accepts registration bodies other than BACP, UKCP and HCPC case by
case (DOMAIN.md D17): such an application goes to the coordinators with the reason.

Shared by the data migration (trainings 0010) and the tests (tests/conftest.py SEEDS)."""

from django.apps import apps as installed_apps

COURSE = "20-day-dit-programme"
TITLE = "Professional registration"
OLD_HELP = (
    "Registered with another body? Please contact the Centre before applying: other bodies are considered case by case."
)
NEW_HELP = "Registered with another body? Choose “Another body”: the coordinators consider it case by case."


def mark_case_by_case(apps=installed_apps):
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    EntryRequirement.objects.filter(course__slug=COURSE, title=TITLE).update(case_by_case=True, help_text=NEW_HELP)


def unmark_case_by_case(apps=installed_apps):
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    EntryRequirement.objects.filter(course__slug=COURSE, title=TITLE).update(case_by_case=False, help_text=OLD_HELP)
