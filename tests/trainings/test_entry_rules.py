"""Entry rules read from the portal's records, judged on a date (DOMAIN.md D17, D19-D22, D25):
one named test per decision, through the services an applicant and a coordinator use."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import LetterWriter
from accreditation.models import SupportLetter
from members.enums import CredentialKind, CredentialStatus
from members.models import PersonProfile
from members.services import set_credential_status
from supervision.enums import CasePurpose
from tests.accreditation.helpers import accredit, case, completed, days_ago, letter
from tests.factories import UserFactory
from tests.files import PDF_BYTES
from trainings import services
from trainings.eligibility import eligibility
from trainings.enums import EnrolmentStatus
from trainings.models import Course, Enrolment
from trainings.services import TrainingError

from .factories import EnrolmentFactory, make_run, yes_to_all

pytestmark = pytest.mark.django_db


def course(slug):
    return Course.objects.get(slug=slug)


def titles(failures):
    return [failure.requirement.title for failure in failures]


# D19 -------------------------------------------------------------------------------------


def test_d19_twenty_day_refuses_a_person_who_already_meets_the_psychodynamic_competences(trainee):
    twenty_day = course("20-day-dit-programme")
    run = make_run(course=twenty_day)
    answers = yes_to_all(twenty_day, **{"Psychodynamic competences not yet met": {"yes_no": True}})
    with pytest.raises(TrainingError) as refused:
        services.apply_for_run(run, trainee=trainee, answers=answers)
    [failure] = refused.value.failures
    assert failure.requirement.title == "Psychodynamic competences not yet met"
    assert not failure.case_by_case
    assert "do not yet meet" in failure.message and "5-Day DIT Training" in failure.message
    assert not Enrolment.objects.exists()

    enrolment = services.apply_for_run(run, trainee=trainee, answers=yes_to_all(twenty_day))
    assert enrolment.answers.get(question="Psychodynamic competences not yet met").yes_no is False


# D20 -------------------------------------------------------------------------------------


def _supervisor_ready(person):
    """Accredited practitioner with every supervisor-route prerequisite on record (D11)."""
    accredit(person, CredentialKind.PRACTITIONER, on=days_ago(400))
    sup = UserFactory()
    accredit(sup, CredentialKind.SUPERVISOR)
    case(person, sup, purpose=CasePurpose.PRACTITIONER_TRAINING, started=300)
    case(person, sup, purpose=CasePurpose.PRACTITIONER_TRAINING, started=200)
    profile, _ = PersonProfile.objects.get_or_create(person=person)
    profile.supervision_years = 2
    profile.supervision_evidence.save("evidence.pdf", ContentFile(PDF_BYTES), save=False)
    profile.supervision_verified_at = timezone.now() - datetime.timedelta(days=30)
    profile.save()
    letter(person, LetterWriter.DIT_SUPERVISOR)
    letter(person, LetterWriter.LINE_MANAGER)


def test_d20_supervisor_training_reads_the_route_prerequisites_from_the_portal(trainee):
    supervisor_training = course("dit-supervisor-training")
    accredit(trainee, CredentialKind.PRACTITIONER, on=days_ago(400))
    failures = eligibility(trainee, supervisor_training)
    assert titles(failures) == [
        "DIT cases since practitioner accreditation",
        "General supervision experience, verified",
        "Two letters of support",
    ]
    assert "Log 2 more DIT cases." in failures[0].message
    assert "Declare your years of general supervision experience" in failures[1].message
    assert "Upload a letter from:" in failures[2].message and "line manager" in failures[2].message

    ready = UserFactory()
    _supervisor_ready(ready)
    assert eligibility(ready, supervisor_training) == []
    run = make_run(course=supervisor_training)
    assert services.apply_for_run(run, trainee=ready, answers=[]).status == EnrolmentStatus.APPLIED


def test_d20_each_prerequisite_is_refused_on_its_own(trainee):
    """A refusal names the one prerequisite not met."""
    _supervisor_ready(trainee)
    SupportLetter.objects.filter(person=trainee, writer=LetterWriter.LINE_MANAGER).delete()
    [failure] = eligibility(trainee, course("dit-supervisor-training"))
    assert failure.requirement.title == "Two letters of support"
    assert "line manager" in failure.message.lower()


def test_d20_the_course_page_lists_each_entry_requirement(client):
    """D20: accredited practitioner, the DIT cases since accreditation, a year of verified
    supervision experience, both letters of support, not already a supervisor."""
    page = " ".join(client.get(reverse("trainings:course_detail", args=["dit-supervisor-training"])).text.split())
    section = page[page.index("Entry requirements") :]
    for requirement in (
        "Accredited DIT practitioner",
        "At least 2 DIT cases logged since your DIT practitioner accreditation",
        "At least 1 year of general supervision experience (high-intensity NHS Talking Therapies work or "
        "equivalent), declared with evidence on your profile and verified by a coordinator",
        "one from an accredited DIT supervisor who knows your clinical work, one from your line manager",
        "Not already a DIT supervisor",
    ):
        assert requirement in section, requirement


def test_d20_the_listed_numbers_follow_the_thresholds_the_check_reads(client, trainee):
    from tests.accreditation.helpers import set_threshold

    set_threshold("supervisor_cases_since_accreditation", 3)
    page = " ".join(client.get(reverse("trainings:course_detail", args=["dit-supervisor-training"])).text.split())
    assert "At least 3 DIT cases logged since your DIT practitioner accreditation" in page
    accredit(trainee, CredentialKind.PRACTITIONER, on=days_ago(400))
    [cases, *_others] = eligibility(trainee, course("dit-supervisor-training"))
    assert "Log 3 more DIT cases." in cases.message


def test_d20_the_data_migration_splits_the_seeded_row_once_and_keeps_an_edited_one():
    from trainings.models import EntryRequirement
    from trainings.seeds_rules import bundle_supervisor_prerequisites, list_supervisor_prerequisites

    supervisor_training = course("dit-supervisor-training")

    def rows():
        return list(supervisor_training.requirements.values_list("title", "answer_type"))

    split = rows()
    bundle_supervisor_prerequisites()
    assert ("Supervisor route prerequisites", "supervisor_route") in rows() and len(rows()) == len(split) - 2
    list_supervisor_prerequisites()
    list_supervisor_prerequisites()
    assert rows() == split
    bundle_supervisor_prerequisites()
    EntryRequirement.objects.filter(answer_type="supervisor_route").update(title="Edited by a coordinator")
    list_supervisor_prerequisites()
    assert ("Edited by a coordinator", "supervisor_route") in rows()


@pytest.mark.parametrize("status", [CredentialStatus.ACCREDITED, CredentialStatus.SUSPENDED])
def test_d20_supervisor_training_is_not_offered_to_a_supervisor(status):
    person = UserFactory()
    _supervisor_ready(person)
    set_credential_status(person, CredentialKind.SUPERVISOR, CredentialStatus.ACCREDITED)
    if status == CredentialStatus.SUSPENDED:
        set_credential_status(person, CredentialKind.SUPERVISOR, CredentialStatus.SUSPENDED)
    [failure] = eligibility(person, course("dit-supervisor-training"))
    assert failure.requirement.title == "Not already a DIT supervisor"
    assert failure.message == "you already hold DIT Supervisor status."


# D21 -------------------------------------------------------------------------------------


def test_d21_acceptance_refuses_a_registration_that_lapsed_after_applying(trainee, coordinator):
    five_day = course("5-day-dit-training")
    run = make_run(course=five_day)
    profile, _ = PersonProfile.objects.get_or_create(person=trainee)
    profile.registration_valid_until = days_ago(-10)
    profile.save()
    enrolment = services.apply_for_run(run, trainee=trainee, answers=yes_to_all(five_day))

    PersonProfile.objects.filter(pk=profile.pk).update(registration_valid_until=days_ago(1))
    with pytest.raises(TrainingError, match="Professional registration: registration not current"):
        services.accept_enrolment(enrolment, by=coordinator)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED


def test_d21_eligibility_is_judged_on_a_date_from_the_credential_history():
    complex_care = course("dit-for-complex-care")
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER, on=days_ago(100))
    set_credential_status(person, CredentialKind.PRACTITIONER, CredentialStatus.LAPSED, effective_on=days_ago(10))
    assert eligibility(person, complex_care, on=days_ago(50)) == []
    assert titles(eligibility(person, complex_care, on=days_ago(5))) == ["Accredited DIT practitioner"]
    assert titles(eligibility(person, complex_care, on=days_ago(150))) == ["Accredited DIT practitioner"]


def test_d21_a_lapsed_registration_with_an_unlisted_body_is_refused_not_sent_to_coordinators(trainee):
    twenty_day = course("20-day-dit-programme")
    profile, _ = PersonProfile.objects.get_or_create(person=trainee)
    profile.registration_valid_until = days_ago(3)
    profile.save()
    answers = yes_to_all(twenty_day, **{"Professional registration": {"registration_body": "BPC"}})
    with pytest.raises(TrainingError, match="registration not current"):
        services.apply_for_run(make_run(course=twenty_day), trainee=trainee, answers=answers)


# D17 -------------------------------------------------------------------------------------


def test_d17_an_unlisted_body_without_a_registration_number_is_refused(trainee):
    twenty_day = course("20-day-dit-programme")
    answers = yes_to_all(twenty_day, **{"Professional registration": {"registration_body": "BPC", "text": ""}})
    with pytest.raises(TrainingError) as refused:
        services.apply_for_run(make_run(course=twenty_day), trainee=trainee, answers=answers)
    [failure] = refused.value.failures
    assert (failure.message, failure.case_by_case) == ("your registration number is needed.", False)
    assert not Enrolment.objects.exists()

    answers = yes_to_all(twenty_day, **{"Professional registration": {"registration_body": "BPC"}})
    enrolment = services.apply_for_run(make_run(course=twenty_day), trainee=trainee, answers=answers)
    assert "registered with BPC" in enrolment.case_by_case_reasons


# D22 -------------------------------------------------------------------------------------


def test_d22_refresher_reads_previous_training_from_the_portal_not_the_applicant():
    refresher = course("dit-refresher")
    [requirement] = refresher.requirements.all()
    assert not requirement.is_asked

    partly = UserFactory()  # attended 4 of 5 days: did not complete
    completed(partly, "5-day-dit-training", status=EnrolmentStatus.NOT_COMPLETED)
    trained = UserFactory()
    completed(trained, "20-day-dit-programme", days=20)
    recorded = UserFactory()  # trained before the portal existed; recorded by a coordinator
    set_credential_status(recorded, CredentialKind.PRACTITIONER, CredentialStatus.IN_PROGRESS)
    revoked = UserFactory()
    accredit(revoked, CredentialKind.PRACTITIONER)
    set_credential_status(revoked, CredentialKind.PRACTITIONER, CredentialStatus.REVOKED)
    refresher_only = UserFactory()
    EnrolmentFactory(trainee=refresher_only, run=make_run(course=refresher), status=EnrolmentStatus.COMPLETED)

    answers = {
        name: eligibility(person, refresher)
        for name, person in [
            ("partly", partly),
            ("trained", trained),
            ("recorded", recorded),
            ("revoked", revoked),
            ("refresher only", refresher_only),
        ]
    }
    assert {name: titles(failures) for name, failures in answers.items()} == {
        "partly": ["Previous DIT training"],
        "trained": [],
        "recorded": [],
        "revoked": ["Previous DIT training"],
        "refresher only": ["Previous DIT training"],
    }
    with pytest.raises(TrainingError, match="Previous DIT training: this course is for people trained in DIT"):
        services.apply_for_run(make_run(course=refresher), trainee=partly, answers=[])


def test_d22_a_run_completed_after_the_date_does_not_count_yet():
    refresher = course("dit-refresher")
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=30)
    assert eligibility(person, refresher, on=days_ago(29)) == []
    assert titles(eligibility(person, refresher, on=days_ago(31))) == ["Previous DIT training"]
