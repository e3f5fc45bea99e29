"""The yearly maintenance check (accreditation.tasks.check_maintenance) over 5,000
practitioners (fewer with BENCH_SCALE below 1): time, and queries (a fixed number per batch
of maintenance.BATCH_SIZE people, never a few per person)."""

import datetime
import time
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation import maintenance
from accreditation.models import MaintenanceResult
from accreditation.tasks import check_maintenance
from members.enums import CredentialKind, CredentialStatus
from members.models import CredentialEvent, HeldCredential, User
from supervision.enums import CasePurpose, SessionStatus, SupervisionKind
from supervision.models import Case, SupervisionSession, TherapyHours
from tests.trainings.factories import make_run
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course, Enrolment

from .conftest import bench_scale

pytestmark = pytest.mark.django_db
FULL_SIZE = 5_000
YEAR = 2025


def people_count():
    return max(100, round(FULL_SIZE * min(bench_scale(), 1)))


def _credentials(holders, kind, accredited_on):
    credentials = HeldCredential.objects.bulk_create(
        HeldCredential(holder=holder, kind=kind, status=CredentialStatus.ACCREDITED, accredited_on=accredited_on(n))
        for n, holder in enumerate(holders)
    )
    CredentialEvent.objects.bulk_create(
        CredentialEvent(
            credential=credential, to_status=CredentialStatus.ACCREDITED, effective_on=credential.accredited_on
        )
        for credential in credentials
    )


@pytest.fixture
def practitioners():
    """Practitioners of every kind the check tells apart: one in ten in their first year in
    2025 (the 1:12 sums), one in five an AFC trainer, one in four at a CPD Day; four in five
    saw a patient (the others fail and are warned)."""
    count = people_count()
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(email=f"practitioner{n}@example.org", full_name=f"Practitioner {n}", password=unusable)
        for n in range(count)
    )
    supervisor = User.objects.create(email="supervisor@example.org", full_name="A Supervisor", password=unusable)
    _credentials([supervisor], CredentialKind.SUPERVISOR, lambda n: datetime.date(2015, 1, 1))
    _credentials(
        people,
        CredentialKind.PRACTITIONER,
        lambda n: (
            datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 300) if n % 10 == 0 else datetime.date(2019, 5, 1)
        ),
    )
    _credentials(people[::5], CredentialKind.TRAINER, lambda n: datetime.date(2021, 1, 1))
    seeing = [person for n, person in enumerate(people) if n % 5]
    cases = Case.objects.bulk_create(
        Case(
            practitioner=person,
            supervisor=supervisor,
            code="A-1",
            purpose=CasePurpose.ORDINARY,
            started_on=datetime.date(2024, 6, 1),
        )
        for person in seeing
    )
    TherapyHours.objects.bulk_create(
        TherapyHours(case=case, date=datetime.date(2025, month, 10), hours=Decimal("1"))
        for case in cases
        for month in (3, 9)
    )
    decided = timezone.make_aware(datetime.datetime(2025, 6, 1, 12))
    SupervisionSession.objects.bulk_create(
        SupervisionSession(
            practitioner=person,
            supervisor=supervisor,
            date=datetime.date(2025, 5, 20),
            hours=Decimal("1"),
            kind=SupervisionKind.FORMAL,
            status=SessionStatus.CONFIRMED,
            decided_at=decided,
            decided_by=supervisor,
        )
        for person in seeing
    )
    cpd_day = make_run(
        course=Course.objects.get(slug="cpd-day"), dates=[datetime.date(2025, 9, 12)], status=RunStatus.CLOSED
    )
    Enrolment.objects.bulk_create(
        Enrolment(run=cpd_day, trainee=person, status=EnrolmentStatus.COMPLETED) for person in people[::4]
    )
    return people


def test_the_yearly_maintenance_check(benchmark, practitioners, report):
    measured = {}

    def yearly_check():
        MaintenanceResult.objects.all().delete()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            measured["checked"] = check_maintenance(year=YEAR)
        measured.update(seconds=time.perf_counter() - started, queries=len(queries))

    benchmark.pedantic(yearly_check, rounds=1, iterations=1)
    count = len(practitioners)
    assert measured["checked"] == count == MaintenanceResult.objects.filter(year=YEAR).count()
    not_met = MaintenanceResult.objects.filter(year=YEAR, passed=False).count()
    report(
        f"maintenance: the yearly check of {count:,} practitioners took {measured['seconds']:.1f} s with "
        f"{measured['queries']} queries (batches of {maintenance.BATCH_SIZE}; {not_met:,} not met, each warned "
        f"by one e-mail)"
    )
