"""Certificate numbers have no gaps and no repeats when coordinators issue at the same moment."""

import datetime

import pytest
from django.utils import timezone

from certificates import services
from certificates.enums import CertificateKind
from certificates.models import Certificate
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory
from trainings.enums import EnrolmentStatus

ROUNDS = 5
AT_ONCE = 4


def _issue(holder, title, source=None):
    return lambda: services.issue_certificate(
        holder=holder,
        title=title,
        kind=CertificateKind.COURSE_COMPLETION,
        achieved_on=timezone.localdate() - datetime.timedelta(days=1),
        source=source,
    )


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_certificates_issued_at_once_get_consecutive_numbers(settings):
    holders = [UserFactory(full_name=f"Holder {n}") for n in range(AT_ONCE)]
    for round_number in range(ROUNDS):
        outcomes = at_once(
            *[_issue(holder, f"Round {round_number}") for holder in holders], refusal=services.CertificateError
        )
        assert outcomes == ["done"] * AT_ONCE, outcomes
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + ROUNDS * AT_ONCE))


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_certifying_the_same_completion_at_once():
    for _ in range(ROUNDS):
        enrolment = EnrolmentFactory(status=EnrolmentStatus.COMPLETED)
        outcomes = at_once(
            *[_issue(enrolment.trainee, "5-Day DIT Training", enrolment) for _ in range(2)],
            refusal=services.CertificateError,
        )
        assert outcomes.count("done") == 1, outcomes
        refused = next(outcome for outcome in outcomes if outcome != "done")
        assert "already holds certificate" in refused, outcomes
        assert Certificate.objects.filter(source_id=str(enrolment.pk)).count() == 1
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + ROUNDS))
