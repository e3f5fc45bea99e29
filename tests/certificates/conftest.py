import datetime

import pytest
from django.utils import timezone

from certificates import services
from certificates.enums import CertificateKind
from members import roles
from tests.factories import UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")


@pytest.fixture
def holder(db):
    return UserFactory(full_name="Hana Holder", email="hana@example.org")


@pytest.fixture
def issue(db, django_capture_on_commit_callbacks):
    """Issue a certificate through the service, running its after-commit work (the PDF)."""

    def issue(holder, **kwargs):
        values = {
            "title": "5-Day DIT Training",
            "kind": CertificateKind.COURSE_COMPLETION,
            "achieved_on": timezone.localdate() - datetime.timedelta(days=3),
            **kwargs,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return services.issue_certificate(holder=holder, **values)

    return issue
