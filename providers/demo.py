"""Demo provider data for `manage.py seed_demo` (local runs only): an accredited provider in
Portugal whose user is the demo provider login, with a trainer, a delivered training, an
invoice, a supervision record and a completer list awaiting review; and an applicant."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.enums import CredentialKind, CredentialStatus
from members.models import User
from members.services import set_credential_status
from trainings.models import Course

from . import services
from .enums import FeeKind
from .models import Provider, ProviderMembership, ProviderTrainer

PROVIDER_LOGIN = "provider@demo.dit-portal.example"
DEMO_NAME = "Demo: Instituto DIT Lisboa"


def _blank_pdf():
    """A real one-page PDF, enough to download and open."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


COMPLETERS_CSV = (
    "name,email,profession,registration,result\n"
    "Ana Sousa,ana.sousa@demo.dit-portal.example,Psychologist,OPP 12345,completed\n"
    "Rui Costa,rui.costa@demo.dit-portal.example,Psychotherapist,,completed\n"
)


def _person(email, name, *credentials):
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        for kind in credentials:
            set_credential_status(user, kind, CredentialStatus.ACCREDITED, note="Demo data")
    return user


def load_demo(stdout):
    member = User.objects.filter(email=PROVIDER_LOGIN).first()
    if member is None or Provider.objects.filter(name=DEMO_NAME).exists():
        return
    today = timezone.localdate()
    provider = Provider.objects.create(
        name=DEMO_NAME,
        home_country="PT",
        licensed_countries=["PT", "BR"],
        status="accredited",
        accredited_on=today - datetime.timedelta(days=120),
        licence_starts_on=today - datetime.timedelta(days=120),
        licence_ends_on=today + datetime.timedelta(days=244),
        address="Rua do Exemplo 1\n1000-001 Lisboa",
        contact_email=PROVIDER_LOGIN,
    )
    ProviderMembership.objects.create(provider=provider, user=member)
    trainer = ProviderTrainer.objects.create(
        provider=provider,
        person=_person(
            "trainer.lisboa@demo.dit-portal.example",
            "Teresa Trainer",
            CredentialKind.PRACTITIONER,
            CredentialKind.SUPERVISOR,
        ),
    )
    centre_trainer = _person("afc.trainer@demo.dit-portal.example", "Alex Centre-Trainer", CredentialKind.TRAINER)
    start = today - datetime.timedelta(days=60)
    delivery = services.report_delivery(
        provider,
        services.DeliveryInput(
            course=Course.objects.get(slug="5-day-dit-training"),
            label="Demo: Lisbon, co-delivered",
            dates=[start + datetime.timedelta(days=offset) for offset in range(5)],
            country="PT",
            participants=14,
            trainers=[trainer],
            centre_trainer=centre_trainer,
            venue="Lisbon",
        ),
        by=member,
    )
    services.issue_invoice(provider, [services.fee_line(FeeKind.FIRST_TRAINING)], by=None)
    services.upload_supervision_record(
        provider,
        afc_trainer=centre_trainer,
        date=today - datetime.timedelta(days=20),
        hours=Decimal("2.5"),
        upload=SimpleUploadedFile("supervision-demo.pdf", _blank_pdf()),
        by=member,
    )
    services.submit_completer_list(
        provider,
        delivery=delivery,
        upload=SimpleUploadedFile("completers-demo.csv", COMPLETERS_CSV.encode()),
        by=member,
    )
    applicant = _person("applicant@demo.dit-portal.example", "Amara Applicant")
    services.submit_application(
        services.ApplicationInput(
            name="Demo: Nairobi DIT Collective",
            home_country="KE",
            licensed_countries=["KE", "UG"],
            training_countries="Community mental health teams in Kenya and Uganda.",
            qualified_trainer_email="trainer.lisboa@demo.dit-portal.example",
            second_trainer_email="",
            second_trainer_plan="A second trainer attends the 5-day training next year.",
            dit_practice="Two clinics offer DIT with weekly group supervision.",
            involvement="Research partnership with a university department of psychiatry.",
            delivery_plan_summary="One 5-day training a year in Nairobi.",
        ),
        applicant=applicant,
        evidence=[(6, SimpleUploadedFile("delivery-plan.pdf", _blank_pdf()))],
    )
    stdout.write(f"Demo providers: {provider} (log in as {PROVIDER_LOGIN}) and one application awaiting a decision.")
