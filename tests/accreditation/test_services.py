"""Role-play results, case-study submissions and review, letters, granting: each through
its service, decided once, audit-logged, with the trainee told."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accreditation import services
from accreditation.enums import CaseStudyStatus, LetterWriter, RolePlayOutcome
from accreditation.models import CaseStudySubmission, RolePlayResult
from dit_portal.models import AuditEntry
from members import roles
from members.enums import CredentialKind, CredentialRoute, CredentialStatus
from members.models import HeldCredential
from tests.factories import UserFactory, staff_with_totp

from .helpers import completed, days_ago, docx_upload, five_day_completer, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return staff_with_totp(roles.COORDINATOR)


@pytest.fixture
def director():
    return staff_with_totp(roles.PROGRAMME_DIRECTOR)


# Role-play (D16) ---------------------------------------------------------------------------


def test_role_play_attempts_are_numbered_and_a_referral_gets_a_three_month_deadline(coordinator):
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=420)
    referred = services.record_role_play(
        person, outcome=RolePlayOutcome.REFER, assessed_on=datetime.date(2025, 10, 31), by=coordinator
    )
    assert (referred.attempt, referred.retake_by) == (1, datetime.date(2026, 1, 31))
    passed = services.record_role_play(
        person, outcome=RolePlayOutcome.PASS, assessed_on=datetime.date(2026, 1, 30), by=coordinator
    )
    assert passed.attempt == 2 and passed.retake_by is None
    with pytest.raises(services.AccreditationError, match="passed the role-play already"):
        services.record_role_play(person, outcome=RolePlayOutcome.FAIL, assessed_on=days_ago(0), by=coordinator)
    assert AuditEntry.objects.filter(action="accreditation.role_play.recorded").count() == 2


def test_role_play_refusals_change_nothing(coordinator):
    person = UserFactory()
    with pytest.raises(services.AccreditationError, match="future"):
        services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(-1), by=coordinator)
    with pytest.raises(services.AccreditationError, match="Only a referral"):
        services.record_role_play(
            person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(1), retake_by=days_ago(-5), by=coordinator
        )
    assert not RolePlayResult.objects.exists()


# Case study --------------------------------------------------------------------------------


def test_upload_real_pdf_and_docx_and_refuse_a_renamed_file():
    person = UserFactory()
    first = services.submit_case_study(person, upload=pdf_upload())
    assert first.number == 1 and first.status == CaseStudyStatus.SUBMITTED
    fake = SimpleUploadedFile("study.docx", b"plain text pretending", content_type="application/octet-stream")
    other = UserFactory()
    with pytest.raises(services.AccreditationError, match="is not a Word document"):
        services.submit_case_study(other, upload=fake)
    assert services.submit_case_study(other, upload=docx_upload()).file_name == "study.docx"
    with pytest.raises(services.AccreditationError, match="awaiting review"):
        services.submit_case_study(person, upload=pdf_upload())


def test_a_decision_is_final_and_a_referral_is_followed_by_a_new_submission(
    coordinator, django_capture_on_commit_callbacks
):
    person = UserFactory()
    first = services.submit_case_study(person, upload=pdf_upload())
    services.assign_assessor(first, assessor=coordinator, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_case_study(
            first, decision=CaseStudyStatus.REFERRED, feedback="Expand the formulation.", by=coordinator
        )
    first.refresh_from_db()
    assert first.resubmit_by is not None and first.decided_by == coordinator
    assert "Expand the formulation." in mail.outbox[-1].body
    with pytest.raises(services.AccreditationError, match="cannot be changed"):
        services.decide_case_study(first, decision=CaseStudyStatus.PASSED, by=coordinator)
    second = services.submit_case_study(person, upload=pdf_upload())
    assert (second.number, second.assessor) == (2, coordinator)
    services.decide_case_study(second, decision=CaseStudyStatus.PASSED, by=coordinator)
    assert list(
        CaseStudySubmission.objects.filter(person=person).values_list("status", flat=True).order_by("number")
    ) == [
        CaseStudyStatus.REFERRED,
        CaseStudyStatus.PASSED,
    ]
    actions = list(
        AuditEntry.objects.filter(action__startswith="accreditation.case_study.").values_list("action", "actor")
    )
    assert ("accreditation.case_study.referred", coordinator.pk) in actions
    assert ("accreditation.case_study.passed", coordinator.pk) in actions


def test_at_most_two_resubmissions(coordinator):
    person = UserFactory()
    for _ in range(2):
        submission = services.submit_case_study(person, upload=pdf_upload())
        services.assign_assessor(submission, assessor=coordinator, by=coordinator)
        services.decide_case_study(submission, decision=CaseStudyStatus.REFERRED, feedback="Again.", by=coordinator)
    third = services.submit_case_study(person, upload=pdf_upload())
    assert third.number == 3
    with pytest.raises(services.AccreditationError, match="resubmitted 2 times already"):
        services.decide_case_study(third, decision=CaseStudyStatus.REFERRED, feedback="Again.", by=coordinator)
    services.decide_case_study(
        third, decision=CaseStudyStatus.FAILED, feedback="Not yet at the standard.", by=coordinator
    )
    with pytest.raises(services.AccreditationError, match="did not pass"):
        services.submit_case_study(person, upload=pdf_upload())


def test_a_resubmission_after_its_deadline_is_refused(coordinator):
    person = UserFactory()
    submission = services.submit_case_study(person, upload=pdf_upload())
    services.assign_assessor(submission, assessor=coordinator, by=coordinator)
    services.decide_case_study(submission, decision=CaseStudyStatus.REFERRED, feedback="Again.", by=coordinator)
    CaseStudySubmission.objects.filter(pk=submission.pk).update(resubmit_by=days_ago(1))
    with pytest.raises(services.AccreditationError, match="deadline"):
        services.submit_case_study(person, upload=pdf_upload())


def test_refer_and_fail_need_feedback_and_an_assessor_cannot_be_the_trainee(coordinator):
    person = UserFactory()
    submission = services.submit_case_study(person, upload=pdf_upload())
    with pytest.raises(services.AccreditationError, match="Write feedback"):
        services.decide_case_study(submission, decision=CaseStudyStatus.FAILED, by=coordinator)
    with pytest.raises(services.AccreditationError, match="own case study"):
        services.assign_assessor(submission, assessor=person, by=coordinator)
    assessor = UserFactory(role=roles.SUPERVISOR)
    services.assign_assessor(submission, assessor=assessor, by=coordinator)
    submission.refresh_from_db()
    assert submission.assessor == assessor and submission.status == CaseStudyStatus.SUBMITTED


def test_the_assessor_is_told_where_to_find_the_case_study(coordinator, django_capture_on_commit_callbacks):
    person = UserFactory(full_name="Tamsin Trainee")
    submission = services.submit_case_study(person, upload=pdf_upload())
    assessor = UserFactory(role=roles.SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_assessor(submission, assessor=assessor, by=coordinator)
    message = mail.outbox[-1]
    assert message.to == [assessor.email]
    assert message.subject == "A case study to assess: Tamsin Trainee"
    assert submission.get_file_url() in message.body


def test_a_pass_or_a_referral_needs_an_assessor_a_fail_does_not(coordinator):
    submission = services.submit_case_study(UserFactory(), upload=pdf_upload())
    for decision in (CaseStudyStatus.PASSED, CaseStudyStatus.REFERRED):
        with pytest.raises(services.AccreditationError, match="Assign an assessor first"):
            services.decide_case_study(submission, decision=decision, feedback="Noted.", by=coordinator)
    submission.refresh_from_db()
    assert (submission.status, submission.decided_by) == (CaseStudyStatus.SUBMITTED, None)
    services.decide_case_study(submission, decision=CaseStudyStatus.FAILED, feedback="Not DIT.", by=coordinator)
    assert CaseStudySubmission.objects.get(pk=submission.pk).status == CaseStudyStatus.FAILED


def test_a_submission_is_acknowledged_and_announced_to_the_coordinators(
    coordinator, django_capture_on_commit_callbacks
):
    other_coordinator = staff_with_totp(roles.COORDINATOR)
    person = UserFactory(full_name="Tamsin Trainee", email="tamsin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submit_case_study(person, upload=pdf_upload())
    receipt, announcement = mail.outbox
    assert receipt.to == [person.email]
    assert receipt.subject == "We have received your case study"
    assert "submission 1" in receipt.body and "the coordinators" in receipt.body
    assert sorted(announcement.to) == sorted([coordinator.email, other_coordinator.email])
    assert announcement.subject == "A case study to assign: Tamsin Trainee (tamsin@example.org)"
    assert f"/admin/accreditation/casestudysubmission/{submission.pk}/change/" in announcement.body


def test_a_resubmission_keeps_its_assessor_who_is_told(coordinator, django_capture_on_commit_callbacks):
    person = UserFactory(full_name="Tamsin Trainee")
    assessor = UserFactory(role=roles.SUPERVISOR)
    first = services.submit_case_study(person, upload=pdf_upload())
    services.assign_assessor(first, assessor=assessor, by=coordinator)
    services.decide_case_study(first, decision=CaseStudyStatus.REFERRED, feedback="Expand.", by=coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.submit_case_study(person, upload=pdf_upload())
    assert second.assessor == assessor
    receipt, announcement = mail.outbox
    assert receipt.to == [person.email] and "its assessor" in receipt.body
    assert announcement.to == [assessor.email]
    assert announcement.subject.startswith("A case study to assess: Tamsin Trainee")
    assert second.get_file_url() in announcement.body and "as for the previous submission" in announcement.body
    entry = AuditEntry.objects.filter(action="accreditation.case_study.submitted").latest("pk")
    assert entry.data["assessor"] == assessor.pk


# Letters ------------------------------------------------------------------------------------


def test_a_new_letter_from_the_same_writer_replaces_the_old_one():
    person = UserFactory()
    services.upload_support_letter(
        person, writer=LetterWriter.LINE_MANAGER, writer_name="M. Manager", upload=pdf_upload("a.pdf")
    )
    letter = services.upload_support_letter(
        person, writer=LetterWriter.LINE_MANAGER, writer_name="N. Manager", upload=pdf_upload("b.pdf")
    )
    assert person.support_letters.count() == 1 and letter.file_name == "b.pdf"


# Granting ----------------------------------------------------------------------------------


def test_granting_records_the_credential_with_its_route_and_history(coordinator, django_capture_on_commit_callbacks):
    person, _, _ = five_day_completer()
    with django_capture_on_commit_callbacks(execute=True):
        credential = services.grant_credential(person, CredentialKind.PRACTITIONER, by=coordinator)
    assert (credential.status, credential.route) == (CredentialStatus.ACCREDITED, CredentialRoute.FIVE_DAY)
    event = credential.events.get()
    assert event.by == coordinator and "Granted" in event.note
    assert AuditEntry.objects.filter(action="accreditation.credential.granted", actor=coordinator).exists()
    assert "DIT Practitioner" in mail.outbox[-1].subject
    with pytest.raises(services.AccreditationError, match="already holds"):
        services.grant_credential(person, CredentialKind.PRACTITIONER, by=coordinator)


def test_granting_is_refused_when_an_item_is_missing(coordinator):
    person, _, _ = five_day_completer(hours=15)
    with pytest.raises(services.AccreditationError, match="Supervision"):
        services.grant_credential(person, CredentialKind.PRACTITIONER, by=coordinator)
    assert not HeldCredential.objects.filter(holder=person, kind=CredentialKind.PRACTITIONER).exists()


def test_only_the_programme_director_grants_afc_trainer(coordinator, director):
    from trainings.enums import TrainerRole

    from .test_pathways import _practitioner_and_supervisor, _trainer_run

    person = _practitioner_and_supervisor()
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=200, role=TrainerRole.SHADOWING)
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=100, role=TrainerRole.SUPPORT)
    with pytest.raises(services.AccreditationError, match="Only the Programme Director"):
        services.grant_credential(person, CredentialKind.TRAINER, by=coordinator)
    credential = services.grant_credential(person, CredentialKind.TRAINER, by=director)
    assert credential.route == CredentialRoute.UK_TRAINER


def test_thresholds_are_audit_logged_when_changed_in_the_admin(client, coordinator):
    from django.urls import reverse

    from accreditation.models import Threshold

    client.force_login(coordinator)
    threshold = Threshold.objects.get(key="five_day_supervision_hours")
    response = client.post(
        reverse("admin:accreditation_threshold_change", args=[threshold.pk]),
        {"label": threshold.label, "value": "18", "unit": "hours", "help_text": ""},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="accreditation.threshold.changed_in_admin")  # by the admin site
    assert entry.data["changed"] == {"value": {"old": "16.00", "new": "18"}}
    assert entry.actor == coordinator
