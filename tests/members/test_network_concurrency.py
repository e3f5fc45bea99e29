"""Joining a network twice at the same moment: the network row is locked while the
membership is looked up, so the second request is answered, not crashed into the unique
constraint."""

import pytest

from members import services
from members.models import NetworkMembership
from tests.concurrency import at_once

from .factories import NetworkFactory, practitioner

ROUNDS = 5


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_join_requests_of_one_person_at_the_same_moment():
    for _ in range(ROUNDS):
        network = NetworkFactory()
        person = practitioner()

        outcomes = at_once(
            lambda network=network, person=person: services.join_network(network, person),
            lambda network=network, person=person: services.join_network(network, person),
            refusal=services.NetworkError,
        )

        assert sorted(outcomes) == ["You are already a member of this network.", "done"], outcomes
        assert NetworkMembership.objects.filter(network=network, person=person).count() == 1
