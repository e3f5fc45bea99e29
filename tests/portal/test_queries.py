"""N+1 guards for the foundation's list pages: the same queries with 1 row and with 50."""

import pytest

from dit_portal.models import FrequentlyAskedQuestion, Page
from members.enums import CredentialKind, CredentialStatus
from members.models import CredentialEvent, HeldCredential
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROWS = [1, 50]


@pytest.mark.parametrize("rows", ROWS)
def test_faqs_and_menu(client, rows, django_assert_num_queries):
    FrequentlyAskedQuestion.objects.bulk_create(
        FrequentlyAskedQuestion(question=f"Question {n}?", answer="Answer.") for n in range(rows)
    )
    Page.objects.bulk_create(Page(slug=f"extra-{n}", title=f"Extra {n}", body="x") for n in range(rows))
    # questions, menu pages
    with django_assert_num_queries(2):
        response = client.get("/faqs/")
    assert response.text.count('class="accordion-item"') == FrequentlyAskedQuestion.objects.count()


@pytest.mark.parametrize("held", [1, len(CredentialKind)])
def test_members_area_credentials(client, held, django_assert_num_queries):
    """A person holds at most one credential of each kind; the list costs one query."""
    user = UserFactory()
    for kind in list(CredentialKind)[:held]:
        credential = HeldCredential.objects.create(holder=user, kind=kind, status=CredentialStatus.ACCREDITED)
        CredentialEvent.objects.create(credential=credential, to_status=CredentialStatus.ACCREDITED)
    client.force_login(user)
    # session, user, role check (for membership and the admin link), credential check for
    # membership, credentials, network memberships, menu pages
    with django_assert_num_queries(7):
        response = client.get("/members/")
    assert response.text.count('class="list-group-item') == held
