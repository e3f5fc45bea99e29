import csv
import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from providers import services
from providers.enums import ProviderStatus
from providers.models import Provider, ProviderMembership, ProviderTrainer
from tests.factories import UserFactory
from tests.trainings.factories import PDF_BYTES
from trainings.models import Course

HEADER = ["name", "email", "profession", "registration", "result"]
GOOD_ROWS = [
    ["Ana Sousa", "ana.sousa@example.pt", "Psychologist", "OPP 12345", "completed"],
    ["Rui Costa", "rui.costa@example.pt", "Psychotherapist", "", "not completed"],
]


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


class ProviderFactory(factory.django.DjangoModelFactory):
    """An accredited provider in Portugal, licensed for Portugal and Spain."""

    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    home_country = "PT"
    licensed_countries = ["PT", "ES"]
    status = ProviderStatus.ACCREDITED
    accredited_on = factory.LazyFunction(lambda: days_ago(30))
    licence_starts_on = factory.LazyFunction(lambda: days_ago(30))
    licence_ends_on = factory.LazyFunction(lambda: days_ago(30) + datetime.timedelta(days=364))
    address = "Rua Exemplo 1\n1000-001 Lisboa"


def provider_user(provider, **kwargs):
    user = UserFactory(role=roles.PROVIDER_USER, **kwargs)
    ProviderMembership.objects.create(provider=provider, user=user)
    return user


def provider_trainer(provider, **kwargs):
    return ProviderTrainer.objects.create(provider=provider, person=UserFactory(**kwargs))


def holder_of(*kinds, **kwargs):
    person = UserFactory(**kwargs)
    for kind in kinds:
        set_credential_status(person, kind, CredentialStatus.ACCREDITED)
    return person


def afc_trainer(**kwargs):
    return holder_of(CredentialKind.TRAINER, **kwargs)


def five_day_course():
    return Course.objects.get(slug="5-day-dit-training")


def report(
    provider,
    *,
    by=None,
    trainers=None,
    participants=12,
    country="PT",
    starts_in=-20,
    days=5,
    centre_trainer=None,
    first=True,
    course=None,
):
    """A delivery through the service; the first one gets a Centre trainer unless told otherwise."""
    trainers = trainers if trainers is not None else [provider_trainer(provider)]
    if centre_trainer is None and first and not provider.deliveries.exists():
        centre_trainer = afc_trainer()
    start = timezone.localdate() + datetime.timedelta(days=starts_in)
    data = services.DeliveryInput(
        course=course or five_day_course(),
        label=f"Lisbon {start:%B %Y}",
        dates=[start + datetime.timedelta(days=offset) for offset in range(days)],
        country=country,
        participants=participants,
        trainers=trainers,
        centre_trainer=centre_trainer,
        venue="Lisbon",
    )
    return services.report_delivery(provider, data, by=by)


def pdf_file(name="record.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def csv_file(rows, header=HEADER, name="completers.csv", encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_bytes(rows, header=HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows, header=HEADER, name="completers.xlsx"):
    return SimpleUploadedFile(
        name, xlsx_bytes(rows, header), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
