"""A person's copy of their data, erasure by a coordinator, and the retention of files."""

import datetime
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.models import AuditEntry
from dit_portal.retention import delete_expired_files
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, User
from members.privacy import ErasureError, erase_person, export_personal_data
from members.services import set_credential_status
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import PDF_BYTES, EnrolmentFactory
from trainings.models import Enrolment, EnrolmentAnswer

pytestmark = pytest.mark.django_db


def _application_with_evidence(trainee, *, note="I work in Leeds.", uploaded_days_ago=0):
    enrolment = EnrolmentFactory(trainee=trainee, applicant_note=note)
    answer = EnrolmentAnswer(enrolment=enrolment, question="Registration", registration_body="BACP", text="REG-778899")
    answer.evidence_name = "my-registration.pdf"
    answer.evidence.save("my-registration.pdf", ContentFile(PDF_BYTES), save=True)
    if uploaded_days_ago:
        EnrolmentAnswer.objects.filter(pk=answer.pk).update(
            uploaded_at=timezone.now() - datetime.timedelta(days=uploaded_days_ago)
        )
    return enrolment, answer


def _zip(data):
    return zipfile.ZipFile(io.BytesIO(data))


class TestExport:
    def test_the_zip_holds_every_record_about_the_person_and_their_files(self):
        trainee = UserFactory(full_name="Ada Example")
        enrolment, answer = _application_with_evidence(trainee)
        set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
        log_action(trainee, "tests.privacy.example", user=trainee)

        archive = _zip(export_personal_data(trainee))
        data = json.loads(archive.read("data.json"))

        assert data["account"][0]["fields"]["email"] == trainee.email
        assert [row["pk"] for row in data["records"]["trainings.enrolment"]] == [enrolment.pk]
        assert data["records"]["trainings.enrolment"][0]["fields"]["applicant_note"] == "I work in Leeds."
        assert data["records"]["trainings.enrolmentanswer"][0]["fields"]["text"] == "REG-778899"
        assert data["records"]["members.heldcredential"][0]["fields"]["kind"] == CredentialKind.PRACTITIONER
        assert data["records"]["members.credentialevent"]
        actions = {row["fields"]["action"] for row in data["records"]["portal.auditentry"]}
        assert "tests.privacy.example" in actions
        files = [name for name in archive.namelist() if name.startswith("files/")]
        assert len(files) == 1 and files[0].startswith(f"files/trainings.enrolmentanswer/{answer.pk}-evidence-")
        assert archive.read(files[0]) == PDF_BYTES

    def test_secrets_and_other_peoples_records_are_left_out(self):
        trainee, other = UserFactory(), UserFactory()
        _application_with_evidence(other, note="Someone else's note")
        staff = staff_with_totp(roles.COORDINATOR)

        trainee_data = json.loads(_zip(export_personal_data(trainee)).read("data.json"))
        assert "password" not in trainee_data["account"][0]["fields"]
        assert "trainings.enrolment" not in trainee_data["records"]
        assert "Someone else's note" not in json.dumps(trainee_data)

        staff_data = json.loads(_zip(export_personal_data(staff)).read("data.json"))
        authenticators = staff_data["records"]["mfa.authenticator"]
        assert authenticators and all("data" not in row["fields"] for row in authenticators)

    def test_the_page_explains_and_the_post_downloads_and_is_logged(self, client):
        trainee = UserFactory()
        client.force_login(trainee)
        page = client.get(reverse("members:my_data"))
        assert page.status_code == 200
        assert b"Download your data" in page.content
        assert f'href="{reverse("contact")}">ask the Centre\'s coordinators</a>' in page.text  # to be erased

        response = client.post(reverse("members:my_data"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "data.json" in _zip(b"".join(response.streaming_content)).namelist()
        assert AuditEntry.objects.filter(action="members.user.data_exported", object_id=str(trainee.pk)).count() == 1

    def test_visitors_are_sent_to_sign_in(self, client):
        response = client.post(reverse("members:my_data"))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


class TestErasure:
    def test_the_person_is_anonymised_their_files_deleted_and_records_kept(
        self, django_capture_on_commit_callbacks, client
    ):
        coordinator = staff_with_totp(roles.COORDINATOR)
        trainee = UserFactory(full_name="Ada Example", email="ada@example.org")
        enrolment, answer = _application_with_evidence(trainee)
        set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
        stored_name, storage = answer.evidence.name, answer.evidence.storage
        audit_before = list(AuditEntry.objects.order_by("pk").values("pk", "action", "object_repr", "data"))

        with django_capture_on_commit_callbacks(execute=True):
            erase_person(trainee, by=coordinator, reason="Request by e-mail of 1 November 2026")

        trainee.refresh_from_db()
        assert trainee.email == f"erased-{trainee.pk}@erased.invalid"
        assert trainee.full_name == "Erased person"
        assert not trainee.is_active and not trainee.has_usable_password()
        assert not trainee.emailaddress_set.exists()
        assert not storage.exists(stored_name)
        answer.refresh_from_db()
        assert (answer.evidence.name, answer.text, answer.registration_body, answer.evidence_name) == ("", "", "", "")
        enrolment.refresh_from_db()
        assert enrolment.applicant_note == "" and enrolment.status == Enrolment.objects.get(pk=enrolment.pk).status
        assert HeldCredential.objects.filter(holder=trainee, kind=CredentialKind.PRACTITIONER).exists()
        # The audit trail is whole: every earlier entry kept, its action and data unchanged,
        # the person's name and address in it replaced by the pseudonym; one more entry
        # saying who, why and how much.
        after = list(
            AuditEntry.objects.filter(pk__lte=audit_before[-1]["pk"])
            .order_by("pk")
            .values("pk", "action", "object_repr", "data")
        )
        assert [(e["pk"], e["action"], e["data"]) for e in after] == [
            (e["pk"], e["action"], e["data"]) for e in audit_before
        ]
        assert any("Ada Example" in e["object_repr"] for e in audit_before)
        assert not any("Ada Example" in e["object_repr"] or "ada@example.org" in str(e) for e in after)
        erased = AuditEntry.objects.get(action="members.user.erased")
        assert erased.actor == coordinator
        assert erased.data["reason"] == "Request by e-mail of 1 November 2026"
        assert erased.data["files_deleted"] == 1
        # The application, its answer, the credential and its history (a note each).
        assert erased.data["rows_blanked"] == 4
        assert not client.login(email="ada@example.org", password="correct horse battery")

    def test_messages_sent_before_signing_in_are_found_by_address(self):
        from members.models import ContactMessage

        person = UserFactory(email="ada@example.org")
        theirs = ContactMessage.objects.create(
            name="Ada", email="ADA@example.org", topic="training", message="My phone is 07700 900123."
        )
        other = ContactMessage.objects.create(name="Bo", email="bo@example.org", topic="other", message="Hello")

        exported = zipfile.ZipFile(io.BytesIO(export_personal_data(person)))
        records = json.loads(exported.read("data.json"))["records"]
        assert [row["pk"] for row in records["members.contactmessage"]] == [theirs.pk]

        erase_person(person, by=staff_with_totp(roles.COORDINATOR), reason="Asked by letter")
        theirs.refresh_from_db()
        other.refresh_from_db()
        assert (theirs.name, theirs.email, theirs.message) == ("", "", "")
        assert other.message == "Hello"

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_without_a_reason_nothing_changes(self, reason):
        coordinator = staff_with_totp(roles.COORDINATOR)
        trainee = UserFactory(email="ada@example.org")
        with pytest.raises(ErasureError, match="Say why"):
            erase_person(trainee, by=coordinator, reason=reason)
        trainee.refresh_from_db()
        assert trainee.email == "ada@example.org" and trainee.is_active

    def test_a_coordinator_may_not_erase_staff_or_themselves(self):
        coordinator = staff_with_totp(roles.COORDINATOR)
        director = staff_with_totp(roles.PROGRAMME_DIRECTOR)
        director.is_staff = True
        director.save(update_fields=["is_staff"])
        with pytest.raises(ErasureError, match="Only a superuser"):
            erase_person(director, by=coordinator, reason="test")
        with pytest.raises(ErasureError, match="your own account"):
            erase_person(coordinator, by=coordinator, reason="test")
        assert User.objects.filter(is_active=True, pk__in=[director.pk, coordinator.pk]).count() == 2

    def test_erasing_twice_is_refused(self):
        coordinator = staff_with_totp(roles.COORDINATOR)
        trainee = UserFactory()
        erase_person(trainee, by=coordinator, reason="Request")
        with pytest.raises(ErasureError, match="already been erased"):
            erase_person(trainee, by=coordinator, reason="Request")

    def test_coordinators_erase_from_the_admin_after_confirming_with_a_reason(self, client):
        coordinator = staff_with_totp(roles.COORDINATOR)
        trainee = UserFactory(email="ada@example.org")
        client.force_login(coordinator)
        url = reverse("admin:members_user_changelist")
        chosen = {"action": "erase_people", "_selected_action": [trainee.pk]}

        confirm = client.post(url, chosen)
        assert confirm.status_code == 200
        assert b"cannot be undone" in confirm.content
        trainee.refresh_from_db()
        assert trainee.email == "ada@example.org"

        missing_reason = client.post(url, {**chosen, "apply": "1", "reason": ""})
        assert missing_reason.status_code == 200
        trainee.refresh_from_db()
        assert trainee.is_active

        done = client.post(url, {**chosen, "apply": "1", "reason": "Asked on the phone, 2 Nov"}, follow=True)
        assert b"Erased 1 person." in done.content
        trainee.refresh_from_db()
        assert not trainee.is_active and trainee.email.endswith("@erased.invalid")

    def test_staff_without_the_erase_right_are_not_offered_it(self, client):
        coordinators = Group.objects.get(name=roles.COORDINATOR)
        coordinators.permissions.remove(Permission.objects.get(codename="erase_user"))
        viewer = staff_with_totp(roles.COORDINATOR)
        trainee = UserFactory()
        client.force_login(viewer)
        url = reverse("admin:members_user_changelist")
        assert b"erase_people" not in client.get(url).content
        client.post(url, {"action": "erase_people", "_selected_action": [trainee.pk], "apply": "1", "reason": "x"})
        trainee.refresh_from_db()
        assert trainee.is_active


class TestRetention:
    def test_evidence_past_its_period_is_deleted_and_logged_newer_kept(
        self, settings, django_capture_on_commit_callbacks
    ):
        settings.FILE_RETENTION_DAYS = {**settings.FILE_RETENTION_DAYS, "evidence": 730}
        _, old = _application_with_evidence(UserFactory(), uploaded_days_ago=731)
        _, recent = _application_with_evidence(UserFactory(), uploaded_days_ago=729)
        old_name = old.evidence.name

        with django_capture_on_commit_callbacks(execute=True):
            assert delete_expired_files() == 1

        old.refresh_from_db()
        recent.refresh_from_db()
        assert old.evidence.name == "" and not recent.evidence.storage.exists(old_name)
        assert recent.evidence and recent.evidence.storage.exists(recent.evidence.name)
        entry = AuditEntry.objects.get(action="portal.file.retention_deleted")
        assert entry.object_id == str(old.pk)
        assert entry.data["retention_days"] == 730 and entry.data["field"] == "evidence"
        assert delete_expired_files() == 0

    def test_the_period_is_configurable(self, settings):
        _, answer = _application_with_evidence(UserFactory(), uploaded_days_ago=40)
        settings.FILE_RETENTION_DAYS = {**settings.FILE_RETENTION_DAYS, "evidence": 60}
        assert delete_expired_files() == 0
        settings.FILE_RETENTION_DAYS = {**settings.FILE_RETENTION_DAYS, "evidence": 30}
        assert delete_expired_files() == 1
        answer.refresh_from_db()
        assert not answer.evidence

    def test_assessed_case_studies_and_letters_are_deleted_after_their_periods(
        self, settings, client, django_capture_on_commit_callbacks
    ):
        from accreditation.enums import CaseStudyStatus
        from tests.accreditation.helpers import case_study, letter

        settings.FILE_RETENTION_DAYS = {**settings.FILE_RETENTION_DAYS, "evidence": 730, "assessed_work": 2190}
        person = UserFactory()
        decided_long_ago = case_study(person, CaseStudyStatus.PASSED, number=1)
        awaiting = case_study(person, CaseStudyStatus.SUBMITTED, number=2)
        old_letter = letter(person)
        long_ago = timezone.now() - datetime.timedelta(days=2191)
        type(decided_long_ago).objects.filter(pk=decided_long_ago.pk).update(decided_at=long_ago)
        # Counted from the decision: an undecided study is never deleted, however old.
        type(awaiting).objects.filter(pk=awaiting.pk).update(submitted_at=long_ago)
        type(old_letter).objects.filter(pk=old_letter.pk).update(uploaded_at=long_ago)
        stored = [decided_long_ago.file.name, old_letter.file.name]

        with django_capture_on_commit_callbacks(execute=True):
            assert delete_expired_files() == 2

        decided_long_ago.refresh_from_db()
        awaiting.refresh_from_db()
        old_letter.refresh_from_db()
        assert not decided_long_ago.file and not old_letter.file and awaiting.file
        assert decided_long_ago.status == CaseStudyStatus.PASSED  # the decision stays
        assert not any(awaiting.file.storage.exists(name) for name in stored)
        assert set(
            AuditEntry.objects.filter(action="portal.file.retention_deleted").values_list(
                "data__retention_class", flat=True
            )
        ) == {"assessed_work", "evidence"}

        client.force_login(person)
        assert client.get(decided_long_ago.get_file_url()).status_code == 404
        page = client.get(reverse("accreditation:my_pathway")).text
        assert "study.pdf, file deleted after its retention period" in page
        assert "letter.pdf, file deleted after its retention period" in page
