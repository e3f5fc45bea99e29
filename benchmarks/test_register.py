"""The public register at 100 and at 50,000 people on it (bulk inserts, PostgreSQL): each
selective search (a name's start, the employer's check of one name) must stay within 2x of
its time at 100 people; the summary of `make bench` prints the ratios and fails the run
otherwise (benchmarks/conftest.py). The first page of everyone and a whole region are
reported too, for information: their answers grow with the register."""

import datetime

import pytest
from django.conf import settings
from django.db import connection

from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, PersonProfile, User

from .conftest import TIMINGS

SIZES = {"100": 100, "50k": 50_000}
DOMAIN = "register.bench.example"
BATCH = 5_000
REGIONS = ["North West", "North East", "London", "Yorkshire", "Midlands", "Scotland", "Wales", "Ontario"]

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db]


def build(size):
    User.objects.bulk_create(
        [User(email=f"p{n}@{DOMAIN}", full_name=f"Person {n:06d}", password="!") for n in range(size)],
        batch_size=BATCH,
    )
    people = list(User.objects.filter(email__endswith=DOMAIN).values_list("pk", flat=True))
    PersonProfile.objects.bulk_create(
        [
            PersonProfile(person_id=pk, on_register=n % 10 != 9, region=REGIONS[n % len(REGIONS)], country="GB")
            for n, pk in enumerate(people)
        ],
        batch_size=BATCH,
    )
    accredited = datetime.date(2024, 1, 15)
    HeldCredential.objects.bulk_create(
        [
            HeldCredential(
                holder_id=pk,
                kind=CredentialKind.PRACTITIONER,
                status=CredentialStatus.ACCREDITED if n % 7 else CredentialStatus.LAPSED,
                accredited_on=accredited,
            )
            for n, pk in enumerate(people)
        ]
        + [
            HeldCredential(
                holder_id=pk,
                kind=CredentialKind.SUPERVISOR,
                status=CredentialStatus.ACCREDITED,
                accredited_on=accredited,
            )
            for n, pk in enumerate(people)
            if n % 5 == 0
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.fixture(scope="module", params=list(SIZES), ids=list(SIZES))
def world(request, django_db_setup, django_db_blocker):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "make bench needs PostgreSQL"
    with django_db_blocker.unblock():
        build(SIZES[request.param])
    yield {"size": request.param}
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_user CASCADE")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.REGISTER_SEARCH_RATE = "1000000/m"


@pytest.mark.parametrize(
    ("name", "query", "compared"),
    [
        ("register, by name", {"name": "Person 00004"}, True),
        ("register, name and credential", {"name": "Person 00004", "credential": CredentialKind.SUPERVISOR}, True),
        ("register, employer's check", {"check_name": "Person 000042", "check_credential": "practitioner"}, True),
        ("register, everyone (first page)", {}, False),
        ("register, a whole region", {"region": "north w"}, False),
    ],
)
def test_register_search(benchmark, client, world, report, name, query, compared):
    response = benchmark.pedantic(lambda: client.get("/register/", query), rounds=7, warmup_rounds=2, iterations=1)
    assert response.status_code == 200
    if compared:
        TIMINGS[(name, world["size"])] = (benchmark.stats.stats.median, benchmark.stats.stats.rounds)
    else:
        report(
            f"{name} at {world['size']}: median {benchmark.stats.stats.median * 1000:.1f} ms"
            f" (n={benchmark.stats.stats.rounds}; grows with the answer)"
        )
