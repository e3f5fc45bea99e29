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
    # membership, credentials, network memberships, supervision sessions awaiting them, menu
    # pages, supervisor credential (the menu's "Supervising")
    with django_assert_num_queries(9):
        response = client.get("/members/")
    assert response.text.count('class="list-group-item') == held


@pytest.mark.parametrize("rows", ROWS)
def test_audit_log_changelist(client, rows, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from dit_portal.audit import log_action
    from members import roles
    from tests.factories import staff_with_totp

    staff = staff_with_totp(roles.COORDINATOR)
    page = Page.objects.get(slug="home")
    for n in range(rows):
        log_action(page, f"portal.page.checked_{n}", user=UserFactory())
    client.force_login(staff)
    ContentType.objects.clear_cache()
    url = reverse("admin:portal_auditentry_changelist")
    client.get(url)
    # session, user, roles, two-factor, user and group permissions, record types, one
    # capped count, two-factor again (admin_view), the page with its actors
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == rows
    assert response.context["cl"].full_result_count is None  # no second, unfiltered count
    with django_assert_num_queries(10):
        response = client.get(url, {"q": "portal.page."})
    assert len(response.context["cl"].result_list) == rows
