"""N+1 guard for the reading list: the same queries with the seeded list and with 50 more."""

import pytest
from django.urls import reverse

from reading_list.enums import ReferenceType
from reading_list.models import Reference, Topic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extra", [1, 50])
def test_reading_list_page(client, extra, django_assert_num_queries):
    topic = Topic.objects.create(name="Extra topic", slug="extra-topic")
    for number in range(extra):
        reference = Reference.objects.create(
            key=f"extra{number}",
            reference_type=ReferenceType.BOOK,
            authors="Writer, A.\nHelper, B.",
            year=2020,
            title=f"Extra book {number}",
        )
        reference.topics.add(topic)
    # references, their topics, all topics, menu pages
    with django_assert_num_queries(4):
        response = client.get(reverse("reading_list:list"))
    assert response.context["count"] == 26 + extra


@pytest.mark.parametrize("extra", [1, 50])
def test_exports(client, extra, django_assert_num_queries):
    for number in range(extra):
        Reference.objects.create(
            key=f"extra{number}", reference_type=ReferenceType.ARTICLE, authors="Writer, A.", title=f"Paper {number}"
        )
    for name in ("reading_list:export_bibtex", "reading_list:export_ris"):
        # references, their topics
        with django_assert_num_queries(2):
            client.get(reverse(name))
