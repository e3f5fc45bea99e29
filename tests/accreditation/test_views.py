"""My pathway, uploads, files seen only by their owner and coordinators, the admin review
of case studies, the queue and granting."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accreditation.enums import CaseStudyStatus, LetterWriter
from accreditation.models import CaseStudySubmission, RolePlayResult
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential
from tests.factories import UserFactory, staff_with_totp

from .helpers import accredit, case_study, completed, docx_upload, five_day_completer, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    return client


def test_my_pathway_shows_each_credential_with_items_and_the_next_step(client):
    person, _, _ = five_day_completer(hours=11, recordings=2, with_case_study=False)
    client.force_login(person)
    response = client.get(reverse("accreditation:my_pathway"))
    assert response.status_code == 200
    text = response.text
    assert "DIT Practitioner via the 5-Day DIT Training" in text
    assert "11 of 16 confirmed hours on 2 concurrent cases; 2 of 4 recordings passed" in text
    assert "Next step:</strong> Supervision" in text
    assert 'aria-valuenow="50"' in text
    assert "Upload case study" in text


def test_uploading_a_case_study_from_my_pathway(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("accreditation:case_study_upload"), {"file": docx_upload()})
    assert response.status_code == 302
    submission = CaseStudySubmission.objects.get(person=person)
    assert submission.file_name == "study.docx"
    page = client.get(reverse("accreditation:my_pathway")).text
    assert "awaiting review" in page.lower()
    assert "Upload case study" not in page


def test_a_spreadsheet_is_not_a_case_study(client):
    person = UserFactory()
    client.force_login(person)
    upload = SimpleUploadedFile("study.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    response = client.post(reverse("accreditation:case_study_upload"), {"file": upload})
    assert response.status_code == 400
    assert "not an accepted file type" in response.text
    assert not CaseStudySubmission.objects.exists()


def test_case_study_files_are_private(client):
    submission = case_study(UserFactory(), CaseStudyStatus.SUBMITTED)
    url = submission.get_file_url()
    assert client.get(url).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assessor = UserFactory(role=roles.SUPERVISOR)
    submission.assessor = assessor
    submission.save()
    client.force_login(assessor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(submission.person)
    assert client.get(url).status_code == 200


def test_letters_are_uploaded_with_their_writer(client):
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER)
    client.force_login(person)
    response = client.post(
        reverse("accreditation:letter_upload"),
        {"writer": LetterWriter.LINE_MANAGER, "writer_name": "Morgan Manager", "file": pdf_upload("letter.pdf")},
    )
    assert response.status_code == 302
    page = client.get(reverse("accreditation:my_pathway")).text
    assert "Morgan Manager" in page


def test_trainer_days_page_lists_the_days(client):
    from tests.trainings.factories import RunTrainerFactory
    from trainings.enums import TrainerRole
    from trainings.models import TrainerDay

    person = UserFactory()
    trainer = RunTrainerFactory(trainer=person, role=TrainerRole.SHADOWING)
    TrainerDay.objects.create(run_trainer=trainer, day=trainer.run.days.first(), role=TrainerRole.SHADOWING)
    client.force_login(person)
    response = client.get(reverse("accreditation:trainer_days"))
    assert response.status_code == 200
    assert "Shadowing" in response.text and str(trainer.run) in response.text


# Admin ----------------------------------------------------------------------------------


def test_coordinator_reviews_a_case_study_in_the_admin(coordinator_client):
    submission = case_study(UserFactory(), CaseStudyStatus.SUBMITTED)
    assessor = UserFactory(role=roles.SUPERVISOR)
    change = reverse("admin:accreditation_casestudysubmission_change", args=[submission.pk])
    review = reverse("admin:accreditation_casestudysubmission_review", args=[submission.pk])
    assert "Record the decision" in coordinator_client.get(change).text
    coordinator_client.post(review, {"assign": "1", "assessor": assessor.pk})
    response = coordinator_client.post(review, {"decision": "referred", "feedback": ""}, follow=True)
    assert "Write feedback" in response.text
    coordinator_client.post(review, {"decision": "passed", "feedback": "Clear focus."})
    submission.refresh_from_db()
    assert (submission.status, submission.assessor, submission.feedback) == (
        CaseStudyStatus.PASSED,
        assessor,
        "Clear focus.",
    )
    response = coordinator_client.post(review, {"decision": "failed", "feedback": "Changed my mind"}, follow=True)
    assert "cannot be changed" in response.text
    submission.refresh_from_db()
    assert submission.status == CaseStudyStatus.PASSED
    assert "Record the decision" not in coordinator_client.get(change).text


def test_the_read_only_decision_page_has_no_save_buttons(coordinator_client):
    submission = case_study(UserFactory(), CaseStudyStatus.SUBMITTED)
    page = coordinator_client.get(reverse("admin:accreditation_casestudysubmission_change", args=[submission.pk])).text
    assert "Record the decision" in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_coordinator_records_a_role_play_result_in_the_admin(coordinator_client):
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=420)
    untrained = UserFactory()
    data = {"outcome": "refer", "assessed_on": "2025-10-31", "feedback": "Hold the focus."}
    response = coordinator_client.post(
        reverse("admin:accreditation_roleplayresult_add"), {"person": untrained.pk, **data}
    )
    assert response.status_code == 200 and "no completed 5-day or 20-day training" in response.text
    assert not RolePlayResult.objects.filter(person=untrained).exists()
    response = coordinator_client.post(reverse("admin:accreditation_roleplayresult_add"), {"person": person.pk, **data})
    assert response.status_code == 302
    result = RolePlayResult.objects.get(person=person)
    assert (result.attempt, str(result.retake_by)) == (1, "2026-01-31")


def test_the_queue_lists_ready_people_and_a_coordinator_grants(coordinator_client):
    ready, _, _ = five_day_completer()
    not_ready, _, _ = five_day_completer(hours=15)
    bystander = UserFactory()
    response = coordinator_client.get(reverse("admin:accreditation_candidate_changelist"))
    assert response.status_code == 200
    shown = {person.pk for person in response.context["cl"].result_list}
    assert ready.pk in shown and not_ready.pk in shown and bystander.pk not in shown
    assert "Grant DIT Practitioner" in response.text
    assert "DIT Practitioner: not yet (Supervision)" in response.text
    grant = reverse("admin:accreditation_candidate_grant", args=[ready.pk])
    assert f'href="{grant}?kind=practitioner"' in response.text  # a link to the confirmation, not a grant
    confirmation = coordinator_client.get(grant, {"kind": "practitioner"})
    assert confirmation.status_code == 200
    assert "an accredited\n<strong>DIT Practitioner</strong>" in confirmation.text
    assert ready.email in confirmation.text and "they are e-mailed" in confirmation.text
    assert "Met: " in confirmation.text and 'value="Yes, grant DIT Practitioner"' in confirmation.text
    assert not HeldCredential.objects.filter(holder=ready).exists()
    assert coordinator_client.post(grant, {"kind": "practitioner"}).status_code == 302
    assert HeldCredential.objects.get(holder=ready).status == CredentialStatus.ACCREDITED
    not_ready_grant = reverse("admin:accreditation_candidate_grant", args=[not_ready.pk])
    confirmation = coordinator_client.get(not_ready_grant, {"kind": "practitioner"})
    assert (
        "Not every requirement is met yet" in confirmation.text and "grant_confirmation_form" not in confirmation.text
    )
    coordinator_client.post(not_ready_grant, {"kind": "practitioner"})
    assert not HeldCredential.objects.filter(holder=not_ready).exists()
    shown = {
        p.pk
        for p in coordinator_client.get(reverse("admin:accreditation_candidate_changelist")).context["cl"].result_list
    }
    assert ready.pk not in shown


def test_a_coordinator_cannot_grant_afc_trainer_from_the_queue(coordinator_client):
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER)
    completed(person, "dit-for-complex-care", days=2)
    grant = reverse("admin:accreditation_candidate_grant", args=[person.pk])
    confirmation = coordinator_client.get(grant, {"kind": "trainer"})
    assert "Only the Programme Director" in confirmation.text and "grant_confirmation_form" not in confirmation.text
    response = coordinator_client.post(grant, {"kind": "trainer"}, follow=True)
    assert "Only the Programme Director" in response.text
    assert not HeldCredential.objects.filter(holder=person, kind=CredentialKind.TRAINER).exists()


def test_the_maintenance_list_shows_what_was_not_met(coordinator_client):
    import datetime

    from accreditation import maintenance

    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER, datetime.date(2020, 1, 1))
    maintenance.record_check(person, 2025, today=datetime.date(2026, 1, 10))
    response = coordinator_client.get(reverse("admin:accreditation_maintenanceresult_changelist") + "?passed=no")
    assert response.status_code == 200
    assert "DIT patients seen this year" in response.text


def test_the_role_play_form_says_why_a_result_is_refused(coordinator_client):
    from .helpers import role_play

    person = UserFactory()
    role_play(person)
    response = coordinator_client.post(
        reverse("admin:accreditation_roleplayresult_add"),
        {"person": person.pk, "outcome": "fail", "assessed_on": "2026-01-31"},
    )
    assert response.status_code == 200
    assert "has passed the role-play already (attempt 1)" in response.text
    assert RolePlayResult.objects.filter(person=person).count() == 1


def test_a_new_trainee_sees_only_the_route_they_are_on_and_how_to_start_the_others(client):
    """A brand-new trainee who applied for the 5-day training saw all four credentials."""
    from django.urls import reverse

    from tests.factories import UserFactory
    from tests.trainings.factories import EnrolmentFactory, make_run
    from trainings.models import Course

    trainee = UserFactory()
    client.force_login(trainee)
    html = client.get(reverse("accreditation:my_pathway")).text
    assert 'id="pathway-practitioner"' not in html
    assert "You are not on a route to a DIT credential yet." in html
    assert "how to start" in html and "5-Day DIT Training" in html

    EnrolmentFactory(run=make_run(course=Course.objects.get(slug="5-day-dit-training")), trainee=trainee)
    html = client.get(reverse("accreditation:my_pathway")).text
    assert 'id="pathway-practitioner"' in html
    for other in ("supervisor", "trainer", "complex_care"):
        assert f'id="pathway-{other}"' not in html
    start = html[html.index('id="start-heading"') :]
    assert "DIT Supervisor training" in start and "becoming a trainer" in start and "DIT for Complex Care" in start
    assert "The role-play is filmed at the end of the training" in html


def test_the_role_play_step_after_the_training_ended_does_not_say_it_is_still_to_come(client):
    from django.urls import reverse

    from accreditation import pathways
    from members.enums import CredentialKind
    from tests.accreditation.helpers import completed
    from tests.factories import UserFactory

    trainee = UserFactory()
    completed(trainee, "5-day-dit-training", ended=150)
    item = next(i for i in pathways.checklist(trainee, CredentialKind.PRACTITIONER).items if i.key == "role_play")
    assert "filmed at the end of the training" not in item.missing
    assert item.missing.startswith("No role-play result is recorded since your training ended on ")
    assert "ask the coordinators" in item.missing
    client.force_login(trainee)
    html = client.get(reverse("accreditation:my_pathway")).text
    assert "filmed at the end of the training" not in html
