"""The Centre's course catalogue, entry requirements and 5-day fees as published; all of it
is data that coordinators edit in the admin afterwards.

Shared by the data migration that seeds them (0002_seed_catalogue) and by the tests, which
put them back after a transactional test flushed the tables (tests/conftest.py). Each
function takes an app registry: a migration passes its historical one, so only the fields
that the seeding migration's models have may be used here; a later field gets a data
migration of its own.
"""

from decimal import Decimal

from django.apps import apps as installed_apps

REGISTRATION_5_DAY = "HCPC\nBPC\nBPS\nUKCP\nBACP"
REGISTRATION_20_DAY = "BACP\nUKCP\nHCPC"

COURSES = [
    {
        "slug": "20-day-dit-programme",
        "title": "20-Day DIT Programme",
        "position": 10,
        "summary": "A postgraduate-certificate-level training for NHS Talking Therapies (formerly IAPT) "
        "counsellors and psychologists who do not yet meet the psychodynamic competences.",
        "description": "The 20-Day DIT Programme gives counsellors and psychologists working in NHS Talking "
        "Therapies a structure for a time-limited, manualised psychodynamic therapy.\n\n"
        "- pre-course reading and an assessment\n"
        "- 20 days of live online teaching, with masterclasses\n"
        "- a role-play\n"
        "- then close supervision of at least 3 cases\n\n"
        "You become a DIT practitioner on successful completion of the whole programme.",
        "length": "20 days",
        "level": "Postgraduate certificate level",
        "accrediting_body": "",
        "audience": "Employees of NHS Talking Therapies (formerly IAPT) services who do not yet meet the "
        "psychodynamic competences.",
        "leads_to": "DIT practitioner status on successful completion of the whole programme",
        "leads_to_credential": "practitioner",
        "requirements": [
            {
                "title": "Qualification",
                "question": "Do you hold a diploma-level counselling qualification or a doctorate in psychology?",
                "answer_type": "yes_no",
                "evidence": "required",
                "evidence_hint": "your certificate",
            },
            {
                "title": "Professional registration",
                "question": "Which body are you currently fully registered with?",
                "help_text": "Registered with another body? Please contact the Centre before applying: other "
                "bodies are considered case by case.",
                "answer_type": "registration",
                "choices": REGISTRATION_20_DAY,
                "evidence": "optional",
                "evidence_hint": "proof of registration",
            },
            {
                "title": "NHS Talking Therapies employer",
                "question": "Which NHS Talking Therapies (formerly IAPT) service employs you?",
                "answer_type": "text",
            },
        ],
    },
    {
        "slug": "5-day-dit-training",
        "title": "5-Day DIT Training",
        "position": 20,
        "summary": "A CPD course for psychoanalytically or psychodynamically trained practitioners, "
        "accredited by the British Psychoanalytic Council.",
        "description": "The 5-Day DIT Training gives psychoanalytically or psychodynamically trained "
        "practitioners a structure for a time-limited, manualised psychodynamic therapy: a CPD course that "
        "hones the skills of established practitioners to deliver an effective brief intervention for "
        "depression.\n\n"
        "To become a DIT practitioner you attend the five days, pass the role-play, complete supervision "
        "of two cases and pass a case study.\n\n"
        "NHS Talking Therapies services may have funded places.",
        "length": "5 days",
        "level": "CPD",
        "accrediting_body": "British Psychoanalytic Council (BPC)",
        "audience": "Practitioners already trained psychoanalytically or psychodynamically.",
        "leads_to": "DIT practitioner status after the role-play, supervision of two cases and a case study",
        "leads_to_credential": "practitioner",
        "requirements": [
            {
                "title": "Psychodynamic training",
                "question": "Have you completed a course of study covering psychoanalytic or psychodynamic "
                "fundamentals?",
                "answer_type": "yes_no",
                "evidence": "required",
                "evidence_hint": "your certificate or transcript",
            },
            {
                "title": "Supervised psychodynamic work",
                "question": "How many hours of supervised psychodynamic work have you done?",
                "answer_type": "number",
                "minimum": Decimal("150"),
                "unit": "hours",
                "evidence": "optional",
                "evidence_hint": "a letter from your supervisor",
            },
            {
                "title": "Personal therapy",
                "question": "For how many years have you had weekly personal psychodynamic therapy or counselling?",
                "answer_type": "number",
                "minimum": Decimal("1"),
                "unit": "years",
            },
            {
                "title": "Therapeutic work with adults",
                "question": "For how many years have you worked therapeutically with adults?",
                "answer_type": "number",
                "minimum": Decimal("2"),
                "unit": "years",
                "evidence": "optional",
                "evidence_hint": "a letter from your employer",
            },
            {
                "title": "Professional registration",
                "question": "Which body are you currently registered with?",
                "answer_type": "registration",
                "choices": REGISTRATION_5_DAY,
                "evidence": "optional",
                "evidence_hint": "proof of registration",
            },
        ],
        "fees": [
            ("Training, role-play included", Decimal("1"), "", Decimal("1500.00")),
            ("Supervision of two cases", Decimal("16"), "hour", Decimal("150.00")),
            ("Recording (“tape”) assessments", Decimal("4"), "hour", Decimal("150.00")),
            ("Case study", Decimal("1"), "", Decimal("150.00")),
        ],
    },
    {
        "slug": "dit-for-complex-care",
        "title": "DIT for Complex Care",
        "position": 30,
        "summary": "A two-day advanced training for qualified DIT practitioners working with complex patients "
        "in secondary care.",
        "description": "DIT for Complex Care supports qualified DIT practitioners to apply the model to a complex "
        "patient group in secondary care. It assumes knowledge of the 16-session DIT model and extends it to a "
        "28-session approach based on a pilot study in Newham (Journal of Psychoanalytic Psychotherapy, 33(7), "
        "2019), with emphasis on mentalizing, epistemic trust, stabilisation and risk management.",
        "length": "2 days",
        "level": "Advanced",
        "accrediting_body": "",
        "audience": "Qualified (accredited) DIT practitioners only.",
        "leads_to": "The 28-session DIT for Complex Care model",
        "leads_to_credential": "complex_care",
        "requirements": [
            {"title": "Accredited DIT practitioner", "answer_type": "credential", "credential_kind": "practitioner"},
        ],
    },
    {
        "slug": "dit-refresher",
        "title": "DIT Refresher",
        "position": 40,
        "summary": "A yearly refresher for people who have trained in DIT before.",
        "description": "",
        "length": "Yearly",
        "level": "CPD",
        "accrediting_body": "",
        "audience": "People who have trained in DIT before.",
        "leads_to": "CPD",
        "leads_to_credential": "",
        "requirements": [
            {
                "title": "Previous DIT training",
                "question": "Have you trained in DIT before (the 5-day or the 20-day training)?",
                "answer_type": "yes_no",
                "evidence": "optional",
                "evidence_hint": "your certificate",
            },
        ],
    },
    {
        "slug": "cpd-day",
        "title": "CPD Day",
        "position": 50,
        "summary": "The yearly CPD event for DIT practitioners, supervisors and trainers.",
        "description": "Counts as the yearly CPD event DIT trainers must attend; practitioners and supervisors "
        "who attend have it recorded as CPD.",
        "length": "1 day, yearly",
        "level": "CPD",
        "accrediting_body": "",
        "audience": "DIT practitioners, supervisors and trainers.",
        "leads_to": "CPD (counts as the trainers' yearly CPD event)",
        "leads_to_credential": "",
        "requirements": [
            {"title": "DIT practitioner", "answer_type": "dit_practitioner"},
        ],
    },
    {
        "slug": "dit-and-mentalization",
        "title": "DIT and Mentalization",
        "position": 60,
        "summary": "A yearly course on mentalization in DIT for DIT practitioners.",
        "description": "",
        "length": "Yearly",
        "level": "CPD",
        "accrediting_body": "",
        "audience": "DIT practitioners.",
        "leads_to": "CPD",
        "leads_to_credential": "",
        "requirements": [
            {"title": "DIT practitioner", "answer_type": "dit_practitioner"},
        ],
    },
    {
        "slug": "dit-supervisor-training",
        "title": "DIT Supervisor training",
        "position": 70,
        "summary": "Accredited DIT practitioners train to become DIT supervisors.",
        "description": "DIT practitioners can develop professionally by becoming qualified DIT supervisors: "
        "two further supervised cases with rated recordings and close supervision of at least two "
        "supervisees, then accreditation by the Centre.",
        "length": "Varies",
        "level": "",
        "accrediting_body": "",
        "audience": "Accredited DIT practitioners.",
        "leads_to": "DIT supervisor status",
        "leads_to_credential": "supervisor",
        "requirements": [
            {"title": "Accredited DIT practitioner", "answer_type": "credential", "credential_kind": "practitioner"},
        ],
    },
]


def seed_catalogue(apps=installed_apps):
    """Create the seeded courses that are missing (an existing course is left as edited)."""
    Course = apps.get_model("trainings", "Course")
    CourseFee = apps.get_model("trainings", "CourseFee")
    EntryRequirement = apps.get_model("trainings", "EntryRequirement")
    for data in COURSES:
        data = dict(data)
        requirements = data.pop("requirements")
        fees = data.pop("fees", [])
        course, created = Course.objects.get_or_create(slug=data["slug"], defaults=data)
        if not created:
            continue
        for position, requirement in enumerate(requirements, start=1):
            EntryRequirement.objects.create(course=course, position=position * 10, **requirement)
        for position, (description, quantity, unit, unit_price) in enumerate(fees, start=1):
            CourseFee.objects.create(
                course=course,
                position=position * 10,
                description=description,
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
            )


# D1: courses whose runs count as the yearly CPD event (a field added after the catalogue).
CPD_EVENT_COURSES = ["cpd-day"]


def flag_cpd_events(apps=installed_apps):
    """Mark the seeded CPD courses; called by 0005_course_counts_as_cpd_event and the tests."""
    apps.get_model("trainings", "Course").objects.filter(slug__in=CPD_EVENT_COURSES).update(counts_as_cpd_event=True)


def unseed_catalogue(apps=installed_apps, using="default"):
    """Remove the seeded courses no run was planned on, with their requirements and fees.

    Children first, then the courses without Django's deletion collector: while migrations
    are reversed, the historical models are re-rendered between operations, and collecting
    a Course's related rows then meets two generations of the same model ("Cannot query
    'Course object': must be 'Course' instance"). The fees and requirements are gone and
    no run points at these courses, so there is nothing left for it to collect."""
    Course = apps.get_model("trainings", "Course")
    ids = list(
        Course.objects.using(using)
        .filter(slug__in=[data["slug"] for data in COURSES], runs__isnull=True)
        .values_list("pk", flat=True)
    )
    for model_name in ("CourseFee", "EntryRequirement"):
        apps.get_model("trainings", model_name).objects.using(using).filter(course_id__in=ids).delete()
    Course.objects.using(using).filter(pk__in=ids)._raw_delete(using)
