import pytest

from dit_portal.audit import entries_for, log_action, log_actions
from dit_portal.models import AuditEntry, Page
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db


def test_log_action_records_who_what_which_and_data():
    user = UserFactory()
    page = Page.objects.get(slug="what-is-dit")
    entry = log_action(page, "portal.page.reviewed", user=user, data={"from": "draft", "to": "published"})
    entry.refresh_from_db()
    assert entry.actor == user
    assert entry.action == "portal.page.reviewed"
    assert entry.object_id == str(page.pk)
    assert entry.object_repr == page.title
    assert entry.data == {"from": "draft", "to": "published"}
    assert entry.created_at is not None
    assert list(entries_for(page)) == [entry]


def test_system_actions_have_no_actor():
    page = Page.objects.get(slug="home")
    entry = log_action(page, "portal.page.checked")
    assert entry.actor is None


def test_data_with_dates_and_decimals_is_stored_as_json():
    import datetime
    from decimal import Decimal

    entry = log_action(
        Page.objects.first(), "portal.page.x", data={"on": datetime.date(2026, 1, 2), "fee": Decimal("1500.00")}
    )
    entry.refresh_from_db()
    assert entry.data == {"on": "2026-01-02", "fee": "1500.00"}


def test_audit_log_is_read_only_in_the_admin(client):
    superuser = staff_with_totp(None, is_superuser=True)
    client.force_login(superuser)
    entry = log_action(superuser, "members.user.example", user=superuser)
    assert client.get("/admin/portal/auditentry/").status_code == 200
    assert client.get(f"/admin/portal/auditentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/portal/auditentry/add/").status_code == 403
    assert client.get(f"/admin/portal/auditentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/portal/auditentry/{entry.pk}/change/", {"action": "tampered"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "members.user.example"


def test_many_actions_are_logged_in_one_statement_as_each_would_be(django_assert_num_queries):
    import datetime

    from django.contrib.auth.models import AnonymousUser
    from django.contrib.contenttypes.models import ContentType

    pages = list(Page.objects.order_by("pk")[:3])
    ContentType.objects.get_for_model(Page)
    with django_assert_num_queries(1):
        entries = log_actions(
            [(page, "portal.page.checked", {"on": datetime.date(2026, 1, 2)}) for page in pages], user=AnonymousUser()
        )
    assert len(entries) == 3
    for page in pages:
        entry = entries_for(page).get()
        assert (entry.actor, entry.action, entry.object_repr) == (None, "portal.page.checked", page.title)
        assert entry.data == {"on": "2026-01-02"}
