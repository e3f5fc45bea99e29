"""The cases of issue 16 by name: erasing someone who acted on other people's records (an
AFC trainer, a supervisor, an assessor) leaves those records whole; what others wrote about
the erased person is blanked; the audit log and certificate verification stop naming them;
a copy holds only the person's own data; a file that is gone answers 404."""

import datetime
import io
import json
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import RolePlayOutcome
from certificates.enums import CertificateKind
from certificates.services import issue_certificate, revoke_certificate
from dit_portal.models import AuditEntry
from members import roles
from members.privacy import erase_person, export_personal_data
from providers import services as provider_services
from supervision.enums import SessionStatus
from tests.accreditation.helpers import case_study, role_play
from tests.factories import UserFactory
from tests.providers.factories import (
    GOOD_ROWS,
    ProviderFactory,
    afc_trainer,
    csv_file,
    pdf_file,
    provider_user,
    report,
)
from tests.supervision.factories import CaseFactory, RecordingFactory, SessionFactory
from tests.trainings.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return UserFactory(role=roles.COORDINATOR)


def _erase(person, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(person, by=coordinator, reason="The person asked")


def _copy(person):
    archive = zipfile.ZipFile(io.BytesIO(export_personal_data(person)))
    return archive, json.loads(archive.read("data.json"))


def _providers_files(provider, trainer):
    member = provider_user(provider, full_name="Maria Member")
    record = provider_services.upload_supervision_record(
        provider,
        afc_trainer=trainer,
        date=timezone.localdate(),
        hours="2",
        upload=pdf_file("supervision.pdf"),
        by=member,
    )
    delivery = report(provider, by=member, centre_trainer=trainer)
    completers = provider_services.submit_completer_list(
        provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member
    )
    return member, record, completers


class TestErasingSomeoneWhoActedOnOthersRecords:
    def test_the_providers_supervision_records_and_completer_lists_stay_whole(
        self, client, coordinator, django_capture_on_commit_callbacks
    ):
        trainer = afc_trainer(full_name="Tomas Trainer")
        files = {}
        for provider in (ProviderFactory(name="Provider A"), ProviderFactory(name="Provider B")):
            member, record, completers = _providers_files(provider, trainer)
            files[provider] = (member, record, completers, record.record.read(), completers.file.read())

        _erase(trainer, coordinator, django_capture_on_commit_callbacks)

        for provider, (member, record, completers, record_bytes, list_bytes) in files.items():
            record.refresh_from_db()
            completers.refresh_from_db()
            assert record.afc_trainer_id == trainer.pk and record.original_name == "supervision.pdf"
            assert str(record.afc_trainer) == "Erased person"
            client.force_login(member)
            response = client.get(reverse("providers:supervision_file", args=[provider.pk, record.pk]))
            assert response.status_code == 200 and b"".join(response.streaming_content) == record_bytes
            response = client.get(reverse("providers:completer_file", args=[provider.pk, completers.pk]))
            assert response.status_code == 200 and b"".join(response.streaming_content) == list_bytes

    def test_the_supervisees_cases_sessions_and_recordings_stay_whole(
        self, coordinator, django_capture_on_commit_callbacks
    ):
        supervisor, practitioner = UserFactory(), UserFactory()
        case = CaseFactory(practitioner=practitioner, supervisor=supervisor, note="Referred by the GP in spring")
        session = SessionFactory(
            practitioner=practitioner,
            supervisor=supervisor,
            status=SessionStatus.DISPUTED,
            note="Discussed the ending",
            dispute_reason="I was away that week",
        )
        recording = RecordingFactory(case=case, note="Middle phase", feedback="Good focus on the IPAF")

        _erase(supervisor, coordinator, django_capture_on_commit_callbacks)

        case.refresh_from_db()
        session.refresh_from_db()
        recording.refresh_from_db()
        assert (case.note, case.supervisor_id) == ("Referred by the GP in spring", supervisor.pk)
        assert (session.note, session.dispute_reason) == ("Discussed the ending", "I was away that week")
        assert (recording.note, recording.feedback) == ("Middle phase", "Good focus on the IPAF")

    def test_the_trainees_case_study_stays_whole(self, client, coordinator, django_capture_on_commit_callbacks):
        assessor, trainee = UserFactory(), UserFactory()
        submission = case_study(trainee)
        type(submission).objects.filter(pk=submission.pk).update(assessor=assessor, feedback="A clear formulation")

        _erase(assessor, coordinator, django_capture_on_commit_callbacks)

        submission.refresh_from_db()
        assert submission.file and submission.file.storage.exists(submission.file.name)
        assert (submission.file_name, submission.feedback) == ("study.pdf", "A clear formulation")
        client.force_login(trainee)
        assert client.get(submission.get_file_url()).status_code == 200


class TestErasingTheSubject:
    def test_what_others_wrote_about_them_is_blanked(self, coordinator, django_capture_on_commit_callbacks):
        trainee, supervisor = UserFactory(), UserFactory()
        result = role_play(trainee, RolePlayOutcome.REFER)
        type(result).objects.filter(pk=result.pk).update(feedback="Hesitant in the ending phase")
        submission = case_study(trainee)
        type(submission).objects.filter(pk=submission.pk).update(feedback="Names the patient's employer")
        case = CaseFactory(practitioner=trainee, supervisor=supervisor)
        recording = RecordingFactory(case=case, feedback="Too directive")
        stored = submission.file.name

        _erase(trainee, coordinator, django_capture_on_commit_callbacks)

        result.refresh_from_db()
        submission.refresh_from_db()
        recording.refresh_from_db()
        assert (result.feedback, result.outcome) == ("", RolePlayOutcome.REFER)
        assert (submission.feedback, submission.file_name, submission.file.name) == ("", "", "")
        assert not submission.file.storage.exists(stored)
        assert recording.feedback == "" and recording.rating  # the decision stays

    def test_audit_entries_naming_them_are_pseudonymised_and_kept(
        self, coordinator, django_capture_on_commit_callbacks
    ):
        holder = UserFactory(full_name="Ada Lovelace", email="ada@example.org")
        bystander = UserFactory(full_name="Ada Lovelace-Byron", email="byron@example.org")
        certificate = issue_certificate(
            holder=holder, title="DIT Practitioner", kind=CertificateKind.CREDENTIAL, achieved_on=timezone.localdate()
        )
        other = issue_certificate(
            holder=bystander,
            title="DIT Practitioner",
            kind=CertificateKind.CREDENTIAL,
            achieved_on=timezone.localdate(),
        )
        from dit_portal.audit import log_action

        log_action(bystander, "tests.note", user=coordinator, data={"about": "wrote to ada@example.org"})
        entries = list(AuditEntry.objects.values_list("pk", flat=True))
        issued = AuditEntry.objects.get(object_id=str(certificate.pk), content_type__model="certificate")
        assert "Ada Lovelace" in issued.object_repr
        others = AuditEntry.objects.filter(object_id=str(other.pk), content_type__model="certificate")
        others_before = list(others.values("object_repr", "data"))

        # The copy holds the entries about them (their certificate being issued).
        _, data = _copy(holder)
        assert issued.pk in [row["pk"] for row in data["records"]["portal.auditentry"]]

        _erase(holder, coordinator, django_capture_on_commit_callbacks)

        assert set(entries) <= set(AuditEntry.objects.values_list("pk", flat=True))  # every entry kept
        issued.refresh_from_db()
        assert "Ada Lovelace" not in issued.object_repr and "Erased person" in issued.object_repr
        note = AuditEntry.objects.get(action="tests.note")
        assert note.data == {"about": f"wrote to erased-{holder.pk}@erased.invalid"}
        assert list(others.values("object_repr", "data")) == others_before  # the namesake's stay

    def test_entries_on_rows_they_acted_on_lose_their_name_and_keep_the_others(
        self, coordinator, django_capture_on_commit_callbacks
    ):
        from dit_portal.audit import log_action

        supervisor = UserFactory(full_name="Sam Supervisor")
        practitioner = UserFactory(full_name="Pat Practitioner")
        session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
        entry = log_action(session, "supervision.session.confirmed", user=supervisor)
        assert "Sam Supervisor" in entry.object_repr and "Pat Practitioner" in entry.object_repr

        _erase(supervisor, coordinator, django_capture_on_commit_callbacks)

        entry.refresh_from_db()
        assert "Sam Supervisor" not in entry.object_repr
        assert "Pat Practitioner" in entry.object_repr and "Erased person" in entry.object_repr
        assert entry.actor_id == supervisor.pk and entry.action == "supervision.session.confirmed"

    @pytest.mark.parametrize("revoked", [False, True])
    def test_the_verification_page_withholds_the_name(
        self, client, coordinator, django_capture_on_commit_callbacks, revoked
    ):
        holder = UserFactory(full_name="Grace Hopper")
        certificate = issue_certificate(
            holder=holder,
            title="DIT Practitioner",
            kind=CertificateKind.CREDENTIAL,
            achieved_on=datetime.date(2025, 3, 1),
        )
        if revoked:
            revoke_certificate(certificate, by=coordinator, reason="Issued in error")
        assert "Grace Hopper" in client.get(certificate.get_verification_path()).text

        _erase(holder, coordinator, django_capture_on_commit_callbacks)

        page = client.get(certificate.get_verification_path())
        assert page.status_code == 200
        assert "Grace Hopper" not in page.text
        assert "Holder's name withheld" in page.text
        assert ("Revoked." if revoked else "Valid.") in page.text
        assert "DIT Practitioner" in page.text and "1 March 2025" in page.text
        certificate.refresh_from_db()
        assert certificate.holder_name == "" and certificate.revocation_reason == ""


class TestCopies:
    def test_an_afc_trainers_copy_holds_none_of_the_providers_files_or_people(self):
        trainer = afc_trainer()
        _, record, completers = _providers_files(ProviderFactory(), trainer)

        archive, data = _copy(trainer)

        assert not [name for name in archive.namelist() if name.startswith("files/")]
        everything = b"".join(archive.read(name) for name in archive.namelist())
        for name, address, *_ in GOOD_ROWS:
            assert name.encode() not in everything and address.encode() not in everything
        assert b"Maria Member" not in everything
        assert "providers.supervisionrecord" not in data["records"]
        assert data["acted_on"]["providers.supervisionrecord"] == [{"pk": record.pk, "your_part": ["afc_trainer"]}]

    def test_a_supervisors_copy_holds_none_of_the_supervisees_ledger_or_case_study(self):
        supervisor, practitioner = UserFactory(), UserFactory(full_name="Pat Practitioner")
        case = CaseFactory(practitioner=practitioner, supervisor=supervisor, note="Referred by the GP")
        SessionFactory(practitioner=practitioner, supervisor=supervisor, note="Discussed the ending")
        submission = case_study(practitioner)
        type(submission).objects.filter(pk=submission.pk).update(assessor=supervisor)

        archive, data = _copy(supervisor)

        everything = b"".join(archive.read(name) for name in archive.namelist())
        assert PDF_BYTES not in everything
        for text in (b"Referred by the GP", b"Discussed the ending", b"Pat Practitioner", case.code.encode()):
            assert text not in everything
        assert not {"supervision.case", "supervision.supervisionsession", "accreditation.casestudysubmission"} & set(
            data["records"]
        )
        assert data["acted_on"]["supervision.case"] == [{"pk": case.pk, "your_part": ["supervisor"]}]
        assert data["acted_on"]["accreditation.casestudysubmission"] == [
            {"pk": submission.pk, "your_part": ["assessor"]}
        ]

    def test_a_long_history_is_written_without_holding_it_in_memory(self):
        """40,000 audit entries of what a coordinator did: the copy is built in chunks."""
        coordinator = UserFactory(role=roles.COORDINATOR)
        trainee = UserFactory()
        from django.contrib.contenttypes.models import ContentType

        user_type = ContentType.objects.get_for_model(trainee)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=coordinator,
                    action="trainings.enrolment.accepted",
                    content_type=user_type,
                    object_id=str(trainee.pk),
                    object_repr=f"{trainee} on run {number}",
                    data={"note": "x" * 200},
                )
                for number in range(40_000)
            ],
            batch_size=5000,
        )
        tracemalloc.start()
        try:
            archive, data = _copy(coordinator)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(data["acted_on"]["portal.auditentry"]) == 40_000
        assert trainee.full_name not in archive.read("data.json").decode()
        # Python objects made while writing, not the zip's bytes (which spill to disk).
        assert peak < 100 * 1024 * 1024


def test_a_file_that_is_gone_answers_404_not_500(client):
    provider = ProviderFactory()
    member, record, completers = _providers_files(provider, afc_trainer())
    record.record.storage.delete(record.record.name)
    completers.file.storage.delete(completers.file.name)
    client.force_login(member)
    assert client.get(reverse("providers:supervision_file", args=[provider.pk, record.pk])).status_code == 404
    assert client.get(reverse("providers:completer_file", args=[provider.pk, completers.pk])).status_code == 404


def test_a_completer_row_and_an_invitation_not_yet_tied_to_the_account_are_found_by_address(
    coordinator, django_capture_on_commit_callbacks
):
    from providers.models import Completer, ProviderInvitation

    provider = ProviderFactory()
    member, record, completers = _providers_files(provider, afc_trainer())
    person = UserFactory(email=GOOD_ROWS[0][1].upper())
    invitation = ProviderInvitation.objects.create(provider=provider, email=GOOD_ROWS[0][1], invited_by=member)
    row, other = Completer.objects.get(email=GOOD_ROWS[0][1]), Completer.objects.get(email=GOOD_ROWS[1][1])
    assert row.person is None

    _, data = _copy(person)
    assert [r["pk"] for r in data["records"]["providers.completer"]] == [row.pk]
    assert [r["pk"] for r in data["records"]["providers.providerinvitation"]] == [invitation.pk]

    _erase(person, coordinator, django_capture_on_commit_callbacks)

    row.refresh_from_db()
    invitation.refresh_from_db()
    assert (row.full_name, row.email, row.result) == ("", f"erased-{person.pk}@erased.invalid", GOOD_ROWS[0][4])
    assert invitation.email == ""
    assert Completer.objects.get(pk=other.pk).full_name == GOOD_ROWS[1][0]
