import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from supervision.enums import CasePurpose, CpdKind, Modality, RecordingPhase, SessionStatus
from supervision.models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing, TherapyHours
from tests.factories import UserFactory


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def make_supervisor(status=CredentialStatus.ACCREDITED, **kwargs):
    """A person holding the DIT Supervisor credential in `status`."""
    supervisor = UserFactory(**kwargs)
    set_credential_status(supervisor, CredentialKind.SUPERVISOR, status)
    return supervisor


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    practitioner = factory.SubFactory(UserFactory)
    code = factory.Sequence(lambda n: f"C-{n:04d}")
    purpose = CasePurpose.PRACTITIONER_TRAINING
    supervisor = factory.LazyFunction(make_supervisor)
    started_on = factory.LazyFunction(lambda: days_ago(60))


class TherapyHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapyHours

    case = factory.SubFactory(CaseFactory)
    date = factory.LazyFunction(lambda: days_ago(10))
    hours = Decimal("1.00")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionSession

    practitioner = factory.SubFactory(UserFactory)
    supervisor = factory.LazyFunction(make_supervisor)
    date = factory.LazyFunction(lambda: days_ago(7))
    hours = Decimal("1.00")
    status = SessionStatus.PENDING


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    case = factory.SubFactory(CaseFactory)
    phase = RecordingPhase.INITIAL
    session_date = factory.LazyFunction(lambda: days_ago(30))


class CpdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CpdRecord

    person = factory.SubFactory(UserFactory)
    title = "CPD Day"
    kind = CpdKind.CPD_DAY
    date = factory.LazyFunction(lambda: days_ago(20))
    hours = Decimal("6.00")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisorListing

    supervisor = factory.LazyFunction(make_supervisor)
    is_listed = True
    display_name = factory.Sequence(lambda n: f"Supervisor {n}")
    country = "GB"
    region = "London"
    modality = Modality.ONLINE
