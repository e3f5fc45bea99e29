"""Joining a network twice at the same moment: the network row is locked while the
membership is looked up, so the second request is answered, not crashed into the unique
constraint."""

import threading

import pytest
from django.db import connection

from members import services
from members.models import NetworkMembership

from .factories import NetworkFactory, practitioner

ROUNDS = 5


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except services.NetworkError as error:
            outcomes[index] = error.message
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            outcomes[index] = repr(error)
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
def test_two_join_requests_of_one_person_at_the_same_moment():
    for _ in range(ROUNDS):
        network = NetworkFactory()
        person = practitioner()

        outcomes = at_once(
            lambda network=network, person=person: services.join_network(network, person),
            lambda network=network, person=person: services.join_network(network, person),
        )

        assert sorted(outcomes) == ["You are already a member of this network.", "done"], outcomes
        assert NetworkMembership.objects.filter(network=network, person=person).count() == 1
