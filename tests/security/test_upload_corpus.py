"""Every hostile file of the corpus (tests/security/corpus.py) against every upload field of
the portal, sent the way its user sends it: the real page, as the real person.

Each file must be
- refused: an error shown, no row written and no file left in storage; or
- neutralised: stored under a generated name, shown under a name with no folders and no
  control or direction-changing characters, pictures re-encoded (whatever followed the
  picture is gone), and served back only as an attachment the browser may not sniff.
Anything else fails the test. The tally (field x outcome) is printed at the end of the run.

Certificates have a file field too, but the portal renders those PDFs itself; nobody uploads one.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accreditation.enums import LetterWriter
from accreditation.models import CaseStudySubmission, SupportLetter
from members import roles
from members.enums import ResourceKind
from members.models import HeldCredential, MemberResource, PersonProfile
from providers.models import ApplicationEvidence, CompleterList, SupervisionRecord
from tests.factories import UserFactory, staff_with_totp
from tests.members.factories import ResourceGroupFactory
from tests.providers.factories import ProviderFactory, afc_trainer, provider_user, report
from tests.trainings.factories import CourseFactory, RequirementFactory, make_run
from trainings.enums import EvidenceRule
from trainings.models import EnrolmentAnswer

from .corpus import hostile_files

pytestmark = [pytest.mark.django_db]

REFUSED = "refused"
NEUTRALISED = "neutralised"
TALLY = {}  # field label -> {hostile label: outcome}
GENERATED_NAME = re.compile(r"^[a-z/-]+/[0-9a-f]{32}\.[a-z0-9]{1,10}$")
ERROR_MARKERS = ("invalid-feedback", "alert-danger", "errorlist", "errornote", "alert-warning")
UNSAFE_TYPES = ("text/html", "image/svg+xml", "application/xhtml", "text/xml", "application/javascript")


@dataclass
class Sent:
    response: object
    client: object  # the client that may download what was stored


class UploadField:
    """One upload field as its user reaches it. Setting up (in __init__) makes the people
    and records the page needs; `send` posts one file as that person."""

    label = ""
    model = None  # where an accepted file is stored
    file_field = ""
    name_field = None  # the name shown to people, as the uploader gave it

    def send(self, client, upload):  # -> Sent
        raise NotImplementedError

    def download_url(self, row):
        raise NotImplementedError


class TrainingEvidence(UploadField):
    label = "trainings: application evidence"
    model = EnrolmentAnswer
    file_field = "evidence"
    name_field = "evidence_name"

    def __init__(self):
        self.course = CourseFactory(title="Evidence course")
        self.requirement = RequirementFactory(
            course=self.course, title="Training", question="Trained?", evidence=EvidenceRule.REQUIRED
        )

    def send(self, client, upload):
        client.force_login(UserFactory())
        run = make_run(course=self.course)
        data = {f"answer_{self.requirement.pk}": "yes", f"evidence_{self.requirement.pk}": upload}
        return Sent(client.post(reverse("trainings:apply", args=[run.pk]), data), client)

    def download_url(self, row):
        return reverse("trainings:evidence", args=[row.pk])


class CaseStudy(UploadField):
    label = "accreditation: case study"
    model = CaseStudySubmission
    file_field = "file"
    name_field = "file_name"

    def send(self, client, upload):
        client.force_login(UserFactory())
        return Sent(client.post(reverse("accreditation:case_study_upload"), {"file": upload}), client)

    def download_url(self, row):
        return row.get_file_url()


class Letter(UploadField):
    label = "accreditation: letter of support"
    model = SupportLetter
    file_field = "file"
    name_field = "file_name"

    def send(self, client, upload):
        client.force_login(UserFactory())
        data = {"writer": LetterWriter.LINE_MANAGER, "writer_name": "Morgan Manager", "file": upload}
        return Sent(client.post(reverse("accreditation:letter_upload"), data), client)

    def download_url(self, row):
        return row.get_file_url()


class ProfileEvidence(UploadField):
    label = "members: supervision experience evidence"
    model = PersonProfile
    file_field = "supervision_evidence"
    name_field = "supervision_evidence_name"

    def send(self, client, upload):
        client.force_login(UserFactory())
        data = {
            "full_name": "Priya Practitioner",
            "details-registration_body": "BACP",
            "details-registration_number": "123456",
            "details-registration_full": "True",
            "details-registration_valid_until": "2030-01-01",
            "details-country": "GB",
            "details-region": "North West",
            "details-nhs_employer": "Manchester Talking Therapies",
            "details-supervision_years": "2.5",
            "details-supervision_evidence_upload": upload,
        }
        return Sent(client.post(reverse("members:profile"), data), client)

    def download_url(self, row):
        return row.get_evidence_url()


class MemberResourceFile(UploadField):
    label = "members: resource (admin)"
    model = MemberResource
    file_field = "file"
    name_field = "file_name"

    def __init__(self):
        self.group = ResourceGroupFactory()
        self.coordinator = staff_with_totp(roles.COORDINATOR)

    def send(self, client, upload):
        client.force_login(self.coordinator)
        data = {"group": self.group.pk, "title": "Guide", "kind": ResourceKind.DOCUMENT, "is_published": "on"}
        return Sent(client.post(reverse("admin:members_memberresource_add"), {**data, "file": upload}), client)

    def download_url(self, row):
        return reverse("members:resource_download", args=[row.pk])


class RegisterImport(UploadField):
    """The register is read into a preview; nothing is stored until it is confirmed."""

    label = "members: credential register import (admin)"
    model = HeldCredential
    file_field = ""
    name_field = None

    def __init__(self):
        self.coordinator = staff_with_totp(roles.COORDINATOR)

    def send(self, client, upload):
        client.force_login(self.coordinator)
        return Sent(client.post(reverse("admin:members_heldcredential_import"), {"file": upload}), client)


class ProviderApplicationEvidence(UploadField):
    label = "providers: licence application evidence"
    model = ApplicationEvidence
    file_field = "file"
    name_field = "original_name"

    def send(self, client, upload):
        client.force_login(UserFactory())
        data = {
            "name": "Instituto DIT Lisboa",
            "home_country": "PT",
            "address": "Rua Exemplo 1",
            "licensed_countries": ["PT"],
            "training_countries": "Portugal",
            "qualified_trainer_email": "trainer@lisbon.example",
            "second_trainer_plan": "Next year.",
            "dit_practice": "Yes.",
            "involvement": "University.",
            "delivery_plan_summary": "Two a year.",
            "evidence_6": upload,
        }
        return Sent(client.post(reverse("providers:apply"), data), client)

    def download_url(self, row):
        return reverse("providers:application_evidence", args=[row.application.provider_id, row.pk])


class ProviderUpload(UploadField):
    """An accredited provider's member uploads a record of one of its trainings."""

    name_field = "original_name"
    url_name = download_name = ""

    def __init__(self):
        self.provider = ProviderFactory()
        self.member = provider_user(self.provider)
        self.trainer = afc_trainer()
        self.delivery = report(self.provider)

    def data(self, upload):
        raise NotImplementedError

    def send(self, client, upload):
        client.force_login(self.member)
        return Sent(client.post(reverse(self.url_name, args=[self.provider.pk]), self.data(upload)), client)

    def download_url(self, row):
        return reverse(self.download_name, args=[self.provider.pk, row.pk])


class ProviderSupervisionRecord(ProviderUpload):
    label = "providers: supervision record"
    model = SupervisionRecord
    file_field = "record"
    url_name, download_name = "providers:upload_supervision", "providers:supervision_file"

    def data(self, upload):
        return {"afc_trainer": self.trainer.pk, "date": "2026-01-05", "hours": "2", "record": upload}


class ProviderCompleterList(ProviderUpload):
    label = "providers: list of completers"
    model = CompleterList
    file_field = "file"
    url_name, download_name = "providers:upload_completers", "providers:completer_file"

    def data(self, upload):
        return {"delivery": self.delivery.pk, "file": upload}


UPLOAD_FIELDS = [
    TrainingEvidence,
    CaseStudy,
    Letter,
    ProfileEvidence,
    MemberResourceFile,
    RegisterImport,
    ProviderApplicationEvidence,
    ProviderSupervisionRecord,
    ProviderCompleterList,
]


def _stored_files(settings):
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _is_safe_name(name):
    return (
        len(name) <= 255
        and "/" not in name
        and "\\" not in name
        and not any(unicodedata.category(char) in ("Cc", "Cf") for char in name)
    )


def _neutralised(field, row, hostile, sent):
    """Why the stored file still carries its sting, or None."""
    stored = getattr(row, field.file_field)
    if not GENERATED_NAME.match(stored.name):
        return f"stored as {stored.name!r}, not under a generated name"
    if field.name_field and not _is_safe_name(getattr(row, field.name_field)):
        return f"shown as {getattr(row, field.name_field)!r}"
    with stored.open("rb") as stream:
        content = stream.read()
    if hostile.name.lower().endswith((".png", ".jpg", ".jpeg")) and content == hostile.content:
        return "a picture stored as sent, not re-encoded"
    for payload in (b"<script", b"<?php", b"<svg"):
        if payload in content and not content.startswith(b"%PDF-"):
            return f"stored content still holds {payload!r}"
    response = sent.client.get(field.download_url(row))
    if response.status_code != 200:
        return f"the download answered {response.status_code}"
    if not response["Content-Disposition"].startswith("attachment"):
        return "served inline"
    if response.get("X-Content-Type-Options") != "nosniff":
        return "served without nosniff"
    if response["Content-Type"].startswith(UNSAFE_TYPES):
        return f"served as {response['Content-Type']}"
    return None


@pytest.mark.parametrize("field_class", UPLOAD_FIELDS, ids=lambda field: field.label)
def test_every_hostile_file_is_refused_or_neutralised(field_class, client, settings):
    field, label = field_class(), field_class.label
    outcomes, failures = {}, []
    for hostile in hostile_files():
        cache.clear()  # the rate limits count honest people, not this loop
        rows_before = set(field.model.objects.values_list("pk", flat=True))
        files_before = _stored_files(settings)
        upload = SimpleUploadedFile(hostile.name, hostile.content, content_type="application/octet-stream")
        sent = field.send(client, upload)
        status = sent.response.status_code
        new_rows = field.model.objects.exclude(pk__in=rows_before)
        if field.file_field:
            new_rows = new_rows.exclude(**{field.file_field: ""})
        new_rows = list(new_rows)
        if status >= 500:
            failures.append(f"{hostile.label}: server error {status}")
        elif not new_rows:
            shown = sent.response.content.decode(errors="replace")
            if status in (301, 302):
                failures.append(f"{hostile.label}: nothing stored, yet it answered as if saved ({status})")
            elif not any(marker in shown for marker in ERROR_MARKERS):
                failures.append(f"{hostile.label}: nothing stored, and no error shown")
            elif _stored_files(settings) - files_before:
                failures.append(f"{hostile.label}: refused, but a file was left in storage")
            else:
                outcomes[hostile.label] = REFUSED
        else:
            problem = _neutralised(field, new_rows[0], hostile, sent) if field.file_field else "rows written"
            if problem:
                failures.append(f"{hostile.label}: accepted, {problem}")
            else:
                outcomes[hostile.label] = NEUTRALISED
        client.logout()
    TALLY[label] = outcomes
    assert not failures, f"{label}:\n" + "\n".join(failures)
    assert len(outcomes) == len(hostile_files()) >= 25


def test_every_upload_field_is_in_the_harness():
    """A new file field fails here until the harness sends the corpus to it."""
    from django.apps import apps
    from django.db.models import FileField

    covered = {(field.model, field.file_field) for field in UPLOAD_FIELDS if field.file_field}
    generated = {("certificates", "certificate", "pdf")}  # rendered by the portal, never uploaded
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, FileField)
        and (model, field.name) not in covered
        and (model._meta.app_label, model._meta.model_name, field.name) not in generated
    ]
    assert not missing, f"Upload fields the hostile corpus is not sent to: {missing}"
