"""N+1 guards: each list of certificates costs the same number of queries with 1 row and with 50."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.enums import CertificateKind
from members import roles
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db

ROWS = [1, 50]


def issue_many(holders):
    # Issued without running the after-commit rendering: only the rows matter here.
    for n, holder in enumerate(holders):
        services.issue_certificate(
            holder=holder,
            title=f"Course {n}",
            kind=CertificateKind.COURSE_COMPLETION,
            achieved_on=timezone.localdate() - datetime.timedelta(days=n),
        )


@pytest.fixture(autouse=True)
def _warm_caches():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    ContentType.objects.get_by_natural_key("certificates", "certificate")
    Group.objects.count()


@pytest.mark.parametrize("rows", ROWS)
def test_my_certificates(client, rows, django_assert_num_queries):
    holder = UserFactory(full_name="Many Certificates")
    issue_many([holder] * rows)
    client.force_login(holder)
    with django_assert_num_queries(5):
        response = client.get(reverse("certificates:mine"))
    assert response.status_code == 200
    assert response.text.count("Download PDF") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_admin_certificate_list(client, rows, django_assert_num_queries):
    issue_many([UserFactory(full_name=f"Person {n}") for n in range(rows)])
    client.force_login(staff_with_totp(roles.COORDINATOR))
    client.get(reverse("admin:certificates_certificate_changelist"))  # warm the admin's per-session lookups
    with django_assert_num_queries(12):
        response = client.get(reverse("admin:certificates_certificate_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows
