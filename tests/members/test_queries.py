"""N+1 guards for the members area and the networks: the same queries with 1 row and with 50."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from .factories import (
    ContactFactory,
    MeetingFactory,
    MembershipFactory,
    NetworkFactory,
    ResourceFactory,
    ResourceGroupFactory,
    practitioner,
)

pytestmark = pytest.mark.django_db
ROWS = [1, 50]


@pytest.fixture(autouse=True)
def _warm_caches():
    ContentType.objects.clear_cache()
    Group.objects.count()


@pytest.mark.parametrize("rows", ROWS)
def test_network_list(client, rows, django_assert_num_queries):
    for _ in range(rows):
        network = NetworkFactory()
        MembershipFactory(network=network)
        MeetingFactory(network=network, starts_at=timezone.now() + datetime.timedelta(days=5))
    person = practitioner()
    MembershipFactory(network=network, person=person)
    client.force_login(person)
    # session, user, networks with counts and next meeting, the person's memberships, menu pages,
    # role check for the admin link
    with django_assert_num_queries(6):
        response = client.get(reverse("members:network_list"))
    assert len(response.context["networks"]) == rows + 1  # and the seeded North-West network


@pytest.mark.parametrize("rows", ROWS)
def test_network_page(client, rows, django_assert_num_queries):
    network = NetworkFactory()
    for number in range(rows):
        ContactFactory(network=network)
        MeetingFactory(network=network, starts_at=timezone.now() + datetime.timedelta(days=number - rows // 2))
        MembershipFactory(network=network)
    member = practitioner()
    MembershipFactory(network=network, person=member)
    client.force_login(member)
    # session, user, network, contacts, meetings with attendee counts, the person's membership,
    # menu pages, role check for the admin link
    with django_assert_num_queries(8):
        response = client.get(network.get_absolute_url())
    assert response.text.count("mailto:") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_members_resources(client, rows, django_assert_num_queries):
    for _ in range(rows):
        ResourceFactory(group=ResourceGroupFactory())
    client.force_login(practitioner())
    # session, user, groups for the role check, credential check (member), groups for the
    # filter, count, the page of resources with their groups, menu pages, supervisor
    # credential (the menu's "Supervising")
    with django_assert_num_queries(9):
        response = client.get(reverse("members:resource_list"))
    assert len(response.context["page"].object_list) == min(rows, 25)
