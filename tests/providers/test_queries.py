"""N+1 guards: the provider's dashboard and lists cost the same number of queries with 1
row of everything and with 30, and the dashboard with 2 trainers and with 20."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from providers import services
from providers.enums import FeeKind
from supervision.enums import CasePurpose
from supervision.models import Case, TherapyHours
from tests.factories import staff_with_totp
from tests.trainings.factories import CourseFactory

from .factories import GOOD_ROWS, afc_trainer, csv_file, days_ago, pdf_file, provider_trainer, report

pytestmark = pytest.mark.django_db

ROWS = [1, 30]


@pytest.fixture(autouse=True)
def _warm_caches():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    Group.objects.count()


def fill(provider, member, rows, trainer_count=2):
    coordinator = staff_with_totp(roles.COORDINATOR)
    supervisor = afc_trainer()
    course = CourseFactory()
    trainers = [provider_trainer(provider) for _ in range(trainer_count)]
    for index, trainer in enumerate(trainers):
        # Long accredited or in their first year (the 1:12 check), AFC trainer or not (the
        # CPD event required), with a patient this year: every read of the yearly check.
        accredited_on = days_ago(800) if index % 2 else timezone.localdate()
        set_credential_status(
            trainer.person, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=accredited_on
        )
        if index % 3 == 0:
            set_credential_status(trainer.person, CredentialKind.TRAINER, CredentialStatus.ACCREDITED)
        own = Case.objects.create(
            practitioner=trainer.person,
            supervisor=supervisor,
            code=f"P-{index}",
            purpose=CasePurpose.ORDINARY,
            started_on=days_ago(900),
        )
        TherapyHours.objects.create(case=own, date=timezone.localdate(), hours=Decimal("1"))
    for index in range(rows):
        trainer = trainers[index % 2]
        services.record_network_event(provider, trainer=trainer, event="Network", date=days_ago(1), by=member)
        delivery = report(provider, by=member, trainers=[trainer], course=course, centre_trainer=supervisor)
        services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
        services.upload_supervision_record(
            provider, afc_trainer=supervisor, date=days_ago(2), hours=1, upload=pdf_file(), by=member
        )
        services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member)


@pytest.mark.parametrize("trainer_count", [2, 20])
@pytest.mark.parametrize("rows", ROWS)
def test_dashboard(client, provider, member, rows, trainer_count, django_assert_num_queries):
    fill(provider, member, rows, trainer_count)
    client.force_login(member)
    # session, user, provider, roles (menu), menu pages, application, trainers with this
    # year's events, thresholds (second trainer's deadline), supervision fee, first delivery,
    # supervision records, annual fee paid, the unpaid fee invoice's due date, invoices,
    # supervision records, completer lists (16), and the trainers' yearly checks in one batch
    # (7, however many trainers: credential histories, practitioner credentials, thresholds,
    # patients seen, the first year's sums, CPD Day runs, flagged meetings)
    with django_assert_num_queries(23):
        response = client.get(reverse("providers:dashboard", args=[provider.pk]))
    assert response.status_code == 200
    requirements = response.context["requirements"]
    assert len(requirements) == 4 + trainer_count
    practitioner = [item for item in requirements if item.key.startswith("practitioner_")]
    assert {item.met for item in practitioner} == {True, False}  # AFC trainers lack the CPD event


@pytest.mark.parametrize(
    ("name", "count"),
    [
        # session, user, provider, roles (menu), menu pages, count, the page of rows (+ prefetched trainers)
        ("invoices", 7),
        ("deliveries", 8),
        # session, user, provider, roles (menu), menu pages, records, lists, events, fee, first delivery, hours
        ("uploads", 11),
    ],
)
@pytest.mark.parametrize("rows", ROWS)
def test_lists(client, provider, member, rows, name, count, django_assert_num_queries):
    fill(provider, member, rows)
    client.force_login(member)
    with django_assert_num_queries(count):
        response = client.get(reverse(f"providers:{name}", args=[provider.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 40])
def test_completer_list(client, provider, member, rows, django_assert_num_queries):
    delivery = report(provider, by=member)
    people = [[f"Person {n}", f"person{n}@example.pt", "Nurse", "", "completed"] for n in range(rows)]
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=csv_file(people), by=member)
    client.force_login(member)
    # session, user, provider, roles (menu), menu pages, the list with its training, its rows
    with django_assert_num_queries(7):
        response = client.get(reverse("providers:completer_list", args=[provider.pk, completer_list.pk]))
    assert response.status_code == 200
