"""Invoice numbers have no gaps and no repeats when two invoices are issued at once: the
counter row is locked until the issuing transaction ends."""

import pytest

from members import roles
from providers import services
from providers.enums import FeeKind
from providers.models import Invoice
from tests.concurrency import at_once
from tests.factories import staff_with_totp

from .factories import ProviderFactory

ROUNDS = 5


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_invoices_issued_at_the_same_moment_get_consecutive_numbers():
    coordinator = staff_with_totp(roles.COORDINATOR)
    one, other = ProviderFactory(), ProviderFactory()
    for _ in range(ROUNDS):
        outcomes = at_once(
            lambda: services.issue_invoice(one, [services.fee_line(FeeKind.ANNUAL)], by=coordinator),
            lambda: services.issue_invoice(other, [services.fee_line(FeeKind.ANNUAL)], by=coordinator),
        )
        assert outcomes == ["done", "done"], outcomes
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 2 * ROUNDS))
