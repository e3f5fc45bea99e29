"""Entry rules read from the portal's records (DOMAIN.md D19-D22) and each seeded course's
role in the accreditation pathways.

- D19: the 20-day programme asks whether the applicant already meets the psychodynamic
  competences; "yes" is refused and points to the 5-day training.
- D20: supervisor training is for people who do not hold the supervisor credential and who
  meet the supervisor route's prerequisites (read from the portal).
- D22: the refresher's "trained in DIT before" is read from the portal, never declared.

Shared by the data migration (trainings 0013) and the tests (tests/conftest.py SEEDS). Each
change is made only where the seeded row is still as seeded, so coordinators' edits stay.
"""

from django.apps import apps as installed_apps

PATHWAY_ROLES = {
    "5-day-dit-training": "five_day",
    "20-day-dit-programme": "twenty_day",
    "dit-for-complex-care": "complex_care",
    "dit-supervisor-training": "supervisor_training",
    "dit-refresher": "refresher",
}

COMPETENCES = {
    "title": "Psychodynamic competences not yet met",
    "question": "Do you already meet the psychodynamic competences (for example, a psychodynamic or "
    "psychoanalytic training)?",
    "help_text": "The 20-day programme is for people who do not yet meet them; if you do, the 5-Day DIT "
    "Training is the course for you.",
    "answer_type": "no_needed",
    "position": 5,
}
NOT_A_SUPERVISOR = {
    "title": "Not already a DIT supervisor",
    "answer_type": "not_holding",
    "credential_kind": "supervisor",
    "position": 20,
}
SUPERVISOR_ROUTE = {
    "title": "Supervisor route prerequisites",
    "answer_type": "supervisor_route",
    "position": 30,
}
REFRESHER_TITLE = "Previous DIT training"


def apply_entry_rules(apps=installed_apps):
    Course = apps.get_model("trainings", "Course")
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    for slug, role in PATHWAY_ROLES.items():
        Course.objects.filter(slug=slug, pathway_role="").update(pathway_role=role)
    for slug, rule in (
        ("20-day-dit-programme", COMPETENCES),
        ("dit-supervisor-training", NOT_A_SUPERVISOR),
        ("dit-supervisor-training", SUPERVISOR_ROUTE),
    ):
        course = Course.objects.filter(slug=slug).first()
        if course is not None and not course.requirements.filter(answer_type=rule["answer_type"]).exists():
            EntryRequirement.objects.create(course=course, **rule)
    EntryRequirement.objects.filter(course__slug="dit-refresher", title=REFRESHER_TITLE, answer_type="yes_no").update(
        answer_type="trained_in_dit", question="", evidence="none", evidence_hint=""
    )


def remove_entry_rules(apps=installed_apps):
    Course = apps.get_model("trainings", "Course")
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    EntryRequirement.objects.filter(answer_type__in=("no_needed", "not_holding", "supervisor_route")).delete()
    EntryRequirement.objects.filter(answer_type="trained_in_dit").update(
        answer_type="yes_no",
        question="Have you trained in DIT before (the 5-day or the 20-day training)?",
        evidence="optional",
        evidence_hint="your certificate",
    )
    Course.objects.update(pathway_role="")
