"""Builders for accreditation tests: people part-way along each route, on real rows."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accreditation.enums import CaseStudyStatus, LetterWriter, RolePlayOutcome
from accreditation.models import CaseStudySubmission, RolePlayResult, SupportLetter, Threshold
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from supervision.enums import CasePurpose, RecordingPhase, RecordingRating, SessionStatus
from supervision.models import Case, Recording, SupervisionSession
from tests.factories import UserFactory
from tests.files import PDF_BYTES
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course

LONG_AGO = datetime.date(2015, 1, 1)
PDF = PDF_BYTES


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def set_threshold(key, value):
    Threshold.objects.filter(key=key).update(value=Decimal(str(value)))


def accredit(person, kind, on=LONG_AGO):
    return set_credential_status(person, kind, CredentialStatus.ACCREDITED, effective_on=on)


def supervisor(on=LONG_AGO, **kwargs):
    """A DIT supervisor accredited since `on`."""
    person = UserFactory(**kwargs)
    accredit(person, CredentialKind.SUPERVISOR, on)
    return person


def completed(person, slug, *, days=5, ended=30, status=EnrolmentStatus.COMPLETED, run_status=RunStatus.CLOSED):
    """`person` completed a run of the seeded course `slug` that ended `ended` days ago."""
    course = Course.objects.get(slug=slug)
    dates = [days_ago(ended + days - 1 - offset) for offset in range(days)]
    run = make_run(course=course, dates=dates, status=run_status)
    return EnrolmentFactory(run=run, trainee=person, status=status)


def role_play(person, outcome=RolePlayOutcome.PASS, on=None, attempt=1, retake_by=None):
    return RolePlayResult.objects.create(
        person=person, attempt=attempt, outcome=outcome, assessed_on=on or days_ago(20), retake_by=retake_by
    )


def case(person, sup, *, purpose=CasePurpose.PRACTITIONER_TRAINING, started=100, ended=None, code=None, **kwargs):
    return Case.objects.create(
        practitioner=person,
        supervisor=sup,
        code=code or f"T-{Case.objects.count() + 1:03d}",
        purpose=purpose,
        started_on=days_ago(started),
        ended_on=days_ago(ended) if ended is not None else None,
        **kwargs,
    )


def session(person, sup, *, hours="1", on=10, status=SessionStatus.CONFIRMED, formal=True, cases=()):
    from supervision.enums import SupervisionKind

    made = SupervisionSession.objects.create(
        practitioner=person,
        supervisor=sup,
        date=days_ago(on),
        hours=Decimal(str(hours)),
        status=status,
        kind=SupervisionKind.FORMAL if formal else SupervisionKind.PEER,
        decided_at=timezone.now() if status != SessionStatus.PENDING else None,
        decided_by=sup if status != SessionStatus.PENDING else None,
    )
    made.cases.set(cases)
    return made


def recording(of_case, *, phase=RecordingPhase.INITIAL, rating=RecordingRating.PASS):
    return Recording.objects.create(
        case=of_case,
        phase=phase,
        session_date=of_case.started_on,
        rating=rating,
        rated_at=timezone.now() if rating != RecordingRating.AWAITING else None,
        rated_by=of_case.supervisor,
    )


def case_study(person, status=CaseStudyStatus.PASSED, number=1):
    from django.core.files.base import ContentFile

    submission = CaseStudySubmission(person=person, number=number, file_name="study.pdf", status=status)
    submission.file.save("study.pdf", ContentFile(PDF), save=False)
    if status != CaseStudyStatus.SUBMITTED:
        submission.decided_at = timezone.now()
    submission.save()
    return submission


def letter(person, writer=LetterWriter.DIT_SUPERVISOR):
    from django.core.files.base import ContentFile

    made = SupportLetter(person=person, writer=writer, writer_name="A Writer", file_name="letter.pdf")
    made.file.save("letter.pdf", ContentFile(PDF), save=False)
    made.save()
    return made


def five_day_completer(hours=16, recordings=4, with_case_study=True):
    """A trainee on the 5-day route with everything met (by default)."""
    person = UserFactory()
    sup = supervisor()
    completed(person, "5-day-dit-training", ended=200)
    role_play(person, on=days_ago(190))
    first = case(person, sup, started=150)
    second = case(person, sup, started=140)
    for index in range(int(hours)):
        session(person, sup, on=100 - index, cases=[first, second])
    for index in range(recordings):
        recording(first if index % 2 else second, phase=RecordingPhase.MIDDLE)
    if with_case_study:
        case_study(person)
    return person, sup, (first, second)


def docx_bytes(text="Case study"):
    """A minimal but real Word document (OOXML zip)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def pdf_upload(name="study.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def docx_upload(name="study.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, docx_bytes(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
