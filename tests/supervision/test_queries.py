"""N+1 guards: the ledger, the supervisor's page and the directory cost the same number of
queries with 1 row and with 50."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from supervision.enums import SessionStatus
from supervision.models import TherapyHours
from tests.factories import UserFactory

from .factories import (
    CaseFactory,
    CpdFactory,
    ListingFactory,
    RecordingFactory,
    SessionFactory,
    days_ago,
    make_supervisor,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 50]


@pytest.fixture(autouse=True)
def _warm_caches():
    """Content types and role groups are cached per process; load them before counting."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    Group.objects.count()


@pytest.mark.parametrize("rows", ROWS)
def test_ledger(client, rows, django_assert_num_queries):
    practitioner = UserFactory()
    supervisor = make_supervisor()
    for number in range(rows):
        case = CaseFactory(practitioner=practitioner, supervisor=supervisor)
        TherapyHours.objects.create(case=case, date=days_ago(3), hours=Decimal("1"))
        RecordingFactory(case=case)
        session = SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.CONFIRMED)
        session.cases.add(case)
        CpdFactory(person=practitioner, title=f"Event {number}")
    client.force_login(practitioner)
    # session, user; four totals; training start; per section (cases, sessions,
    # recordings, CPD) a count and a page; the sessions' cases; menu pages, roles
    with django_assert_num_queries(18):
        response = client.get(reverse("supervision:ledger"))
    assert response.status_code == 200
    assert len(response.context["sessions"]) == min(rows, 20)


@pytest.mark.parametrize("rows", ROWS)
def test_supervisor_page(client, rows, django_assert_num_queries):
    supervisor = make_supervisor()
    for _ in range(rows):
        practitioner = UserFactory()
        case = CaseFactory(practitioner=practitioner, supervisor=supervisor, ended_on=days_ago(1))
        RecordingFactory(case=case)
        session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
        session.cases.add(case)
    client.force_login(supervisor)
    # session, user; per section (supervisees, sessions, recordings, cases) a count and
    # a page; the sessions' cases; whether they may have a directory entry; menu pages, roles
    with django_assert_num_queries(14):
        response = client.get(reverse("supervision:supervisor"))
    assert response.status_code == 200
    assert response.context["awaiting"].paginator.count == rows


@pytest.mark.parametrize("rows", ROWS)
def test_directory(client, rows, django_assert_num_queries):
    for _ in range(rows):
        ListingFactory()
    # countries for the filter, count, page, menu pages
    with django_assert_num_queries(4):
        response = client.get(reverse("supervision:directory"), {"country": "GB"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("model", ["supervisionsession", "case", "recording", "cpdrecord", "supervisorlisting"])
def test_admin_changelists(client, rows, model, django_assert_num_queries):
    from members import roles
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(roles.COORDINATOR))
    for _ in range(rows):
        case = CaseFactory()
        RecordingFactory(case=case, rated_by=case.supervisor)
        SessionFactory().cases.add(case)
        CpdFactory()
        ListingFactory()
    url = reverse(f"admin:supervision_{model}_changelist")
    with django_assert_num_queries(EXPECTED_ADMIN_QUERIES[model]):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


# Each: session, user, roles, two-factor (twice), user and group permissions, two counts,
# the page; sessions only one capped count (CheapCountPaginator, no full result count) but
# also their cases (no date hierarchy: see SupervisionSessionAdmin); CPD the date hierarchy;
# supervisor listings the countries in use for the 'By country' filter.
EXPECTED_ADMIN_QUERIES = {
    "supervisionsession": 10,
    "case": 10,
    "recording": 10,
    "cpdrecord": 12,
    "supervisorlisting": 11,
}
