"""Invoice numbers have no gaps and no repeats when two invoices are issued at once: the
counter row is locked until the issuing transaction ends."""

import threading

import pytest
from django.db import connection

from members import roles
from providers import services
from providers.enums import FeeKind
from providers.models import Invoice
from tests.factories import staff_with_totp

from .factories import ProviderFactory

ROUNDS = 5


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the race, if the lock is missing, fails with IntegrityError
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


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
        assert all(isinstance(outcome, Invoice) for outcome in outcomes), outcomes
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 2 * ROUNDS))
