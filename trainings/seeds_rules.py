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
# D20 listed on the course page: the supervisor route's prerequisites one row each (trainings
# 0015), in place of the one row that checked them together; accreditation checks each.
SUPERVISOR_PREREQUISITES = [
    {"title": "DIT cases since practitioner accreditation", "answer_type": "supervisor_cases", "position": 30},
    {"title": "General supervision experience, verified", "answer_type": "supervising_years", "position": 31},
    {"title": "Two letters of support", "answer_type": "support_letters", "position": 32},
]


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
        # Once listed one by one (list_supervisor_prerequisites), the route's row is not added again.
        present = [rule["answer_type"]] + (
            [item["answer_type"] for item in SUPERVISOR_PREREQUISITES] if rule is SUPERVISOR_ROUTE else []
        )
        if course is not None and not course.requirements.filter(answer_type__in=present).exists():
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


def list_supervisor_prerequisites(apps=installed_apps):
    """Supervisor training's one "supervisor route prerequisites" row becomes one row per
    prerequisite (D20), where it is still as seeded and not done already."""
    Course = apps.get_model("trainings", "Course")
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    split_types = [rule["answer_type"] for rule in SUPERVISOR_PREREQUISITES]
    for course in Course.objects.filter(slug="dit-supervisor-training"):
        if course.requirements.filter(answer_type__in=split_types).exists():
            continue
        bundled = course.requirements.filter(
            answer_type=SUPERVISOR_ROUTE["answer_type"], title=SUPERVISOR_ROUTE["title"]
        ).first()
        if bundled is None:
            continue
        first, *others = SUPERVISOR_PREREQUISITES
        EntryRequirement.objects.filter(pk=bundled.pk).update(**first)
        for rule in others:
            EntryRequirement.objects.create(course=course, **rule)


def bundle_supervisor_prerequisites(apps=installed_apps):
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    first, *others = SUPERVISOR_PREREQUISITES
    EntryRequirement.objects.filter(answer_type__in=[rule["answer_type"] for rule in others]).delete()
    EntryRequirement.objects.filter(answer_type=first["answer_type"]).update(**SUPERVISOR_ROUTE)
