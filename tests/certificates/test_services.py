import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from certificates import services
from certificates.enums import CertificateKind, CertificateStatus
from certificates.models import Certificate
from dit_portal.audit import entries_for
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

pytestmark = pytest.mark.django_db


def test_certificates_are_numbered_in_sequence(issue, holder):
    numbers = [issue(holder, title=f"Course {n}").number for n in range(3)]
    assert numbers[1] == numbers[0] + 1
    assert numbers[2] == numbers[0] + 2
    assert Certificate.objects.get(number=numbers[0]).display_number == f"DIT-{numbers[0]:06d}"


def test_a_rolled_back_issue_gives_its_number_back(issue, holder):
    first = issue(holder)
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(holder, title="Abandoned")
        raise RuntimeError("the coordinator's request failed later")
    assert issue(holder).number == first.number + 1


def test_the_verification_code_is_long_random_and_url_safe(issue, holder):
    codes = {issue(holder, title=f"Course {n}").verification_code for n in range(5)}
    assert len(codes) == 5
    for code in codes:
        # secrets.token_urlsafe(24): 32 characters of 6 bits = 192 bits.
        assert len(code) >= 32
        assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_issuing_prints_the_holders_name_and_records_who_issued(issue, holder, coordinator):
    certificate = issue(holder, by=coordinator, description="5 days", source_reference="Register 2019, p. 4")
    assert certificate.holder_name == "Hana Holder"
    assert certificate.status == CertificateStatus.VALID
    assert certificate.issued_on == timezone.localdate()
    [entry] = entries_for(certificate)
    assert entry.action == "certificates.certificate.issued"
    assert entry.actor == coordinator
    assert entry.data["number"] == certificate.number


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "needs a title"),
        ({"achieved_on": timezone.localdate() + datetime.timedelta(days=1)}, "is in the future"),
        ({"kind": "diploma"}, "Unknown kind"),
        ({"achieved_on": None}, "needs the date"),
    ],
)
def test_bad_requests_are_refused_and_take_no_number(issue, holder, change, message):
    before = Certificate.objects.count()
    with pytest.raises(services.CertificateError, match=message):
        issue(holder, **change)
    assert Certificate.objects.count() == before


def test_a_person_without_a_full_name_gets_no_certificate(issue):
    nameless = UserFactory(full_name="")
    with pytest.raises(services.CertificateError, match="has no full name"):
        issue(nameless)


def test_one_valid_certificate_per_source_and_a_new_one_after_revocation(issue, coordinator):
    enrolment = EnrolmentFactory(status=EnrolmentStatus.COMPLETED, trainee__full_name="Sam Source")
    first = issue(enrolment.trainee, source=enrolment)
    assert first.source == enrolment
    with pytest.raises(services.CertificateError, match="already holds certificate") as refused:
        issue(enrolment.trainee, source=enrolment)
    assert refused.value.already_issued == first
    services.revoke_certificate(first, by=coordinator, reason="Issued with a misspelt name.")
    second = issue(enrolment.trainee, source=enrolment)
    assert second.number == first.number + 1


def test_revoking_needs_a_reason_and_happens_once(issue, holder, coordinator):
    certificate = issue(holder)
    with pytest.raises(services.CertificateError, match="Give the reason"):
        services.revoke_certificate(certificate, by=coordinator, reason=" ")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    services.revoke_certificate(certificate, by=coordinator, reason="Completion recorded in error.")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by == coordinator
    assert certificate.revocation_reason == "Completion recorded in error."
    assert entries_for(certificate).first().action == "certificates.certificate.revoked"
    with pytest.raises(services.CertificateError, match="already revoked"):
        services.revoke_certificate(certificate, by=coordinator, reason="Again.")


def test_a_credential_certificate(issue, holder):
    certificate = issue(holder, kind=CertificateKind.CREDENTIAL, title="DIT Practitioner")
    assert certificate.is_credential


def test_demo_data_certifies_the_demo_practitioner_once(capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    [certificate] = Certificate.objects.all()
    assert certificate.holder.email == "practitioner@demo.dit-portal.example"
    assert certificate.title == "DIT Practitioner"


def test_the_holder_is_told_when_a_certificate_is_issued_and_when_revoked(
    issue, holder, coordinator, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.SITE_URL = "https://dit.example"
    certificate = issue(holder, title="DIT for Complex Care")
    [issued] = mail.outbox
    assert issued.to == ["hana@example.org"]
    assert issued.subject == "Your certificate: DIT for Complex Care"
    assert "https://dit.example/certificates/" in issued.body
    assert certificate.get_verification_url() in issued.body

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_certificate(certificate, by=coordinator, reason="Issued for the wrong course.")
    revoked = mail.outbox[-1]
    assert revoked.subject == f"Certificate {certificate.display_number} has been revoked"
    assert "Issued for the wrong course." in revoked.body


def test_nothing_is_mailed_or_rendered_when_the_issue_rolls_back(holder, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.issue_certificate(
            holder=holder,
            title="5-Day DIT Training",
            kind=CertificateKind.COURSE_COMPLETION,
            achieved_on=timezone.localdate(),
        )
        raise RuntimeError("later failure")
    assert mail.outbox == []
    assert not Certificate.objects.exists()


def test_a_rolled_back_batch_enqueues_nothing(django_capture_on_commit_callbacks, coordinator):
    from certificates.models import IssueBatch

    enrolment = EnrolmentFactory(
        run=make_run(starts_in=-10), status=EnrolmentStatus.COMPLETED, trainee__full_name="Rolf Rollback"
    )
    achievements = enrolment.run.certificate_achievements()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.start_batch(achievements, title="Rolled back", by=coordinator)
        raise RuntimeError("the admin request failed later")
    assert callbacks == []
    assert not IssueBatch.objects.exists()
    assert not Certificate.objects.exists()


def test_a_batch_run_twice_issues_once(django_capture_on_commit_callbacks, coordinator):
    run = make_run(starts_in=-10)
    for _ in range(2):
        EnrolmentFactory(run=run, status=EnrolmentStatus.COMPLETED)
    achievements = run.certificate_achievements()
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(achievements, title="Twice", by=coordinator)
    assert services.run_batch(batch.pk) is None  # finished already: left alone
    assert Certificate.objects.count() == 2
