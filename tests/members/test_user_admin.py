"""The user admin: coordinators and the Programme Director look after people's details, but
only a superuser changes what someone logs in with, whether they can log in, or what they
may do. Otherwise a coordinator could set someone's e-mail to their own, reset the
password through it and take the account over."""

import pytest
from django.contrib.auth.models import Group

from dit_portal.audit import entries_for
from members import roles
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db

CONTROL_FIELDS = ["email", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


def change_url(user):
    return f"/admin/members/user/{user.pk}/change/"


def takeover_attempt(person):
    coordinator_group = Group.objects.get(name=roles.COORDINATOR)
    return {
        "email": "mine@example.org",
        "full_name": "Renamed Person",
        "is_active": "",  # unticked: deactivate
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [coordinator_group.pk],
        "date_joined_0": "01/01/2020",
        "date_joined_1": "10:00:00",
        "credentials-TOTAL_FORMS": "0",
        "credentials-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize("staff_role", [roles.COORDINATOR, roles.PROGRAMME_DIRECTOR])
@pytest.mark.parametrize("target_role", [None, roles.PROGRAMME_DIRECTOR])
def test_staff_cannot_change_someone_elses_login_access_or_roles(client, staff_role, target_role):
    client.force_login(staff_with_totp(staff_role))
    person = UserFactory(email="person@example.org", role=target_role)
    groups_before = set(person.groups.values_list("name", flat=True))

    page = client.get(change_url(person))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not set(CONTROL_FIELDS) & set(form.fields), "the form must not offer these fields"

    response = client.post(change_url(person), takeover_attempt(person))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    person.refresh_from_db()
    assert person.full_name == "Renamed Person"  # ordinary details do change
    assert person.email == "person@example.org"
    assert person.is_active
    assert not person.is_staff and not person.is_superuser
    assert set(person.groups.values_list("name", flat=True)) == groups_before


def test_staff_cannot_set_someone_elses_password(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    person = UserFactory()
    url = f"/admin/members/user/{person.pk}/password/"
    response = client.post(url, {"password1": "A-new-pass-phrase-1", "password2": "A-new-pass-phrase-1"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.check_password("correct horse battery")


def test_a_superuser_may_change_them_and_the_change_is_audit_logged(client):
    superuser = staff_with_totp(None, is_superuser=True)
    client.force_login(superuser)
    person = UserFactory(email="person@example.org")
    form = client.get(change_url(person)).context["adminform"].form
    assert set(CONTROL_FIELDS) <= set(form.fields)

    response = client.post(change_url(person), takeover_attempt(person))
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.email == "mine@example.org"
    assert not person.is_active
    assert person.groups.filter(name=roles.COORDINATOR).exists()
    entry = entries_for(person).get(action="members.user.changed_in_admin")
    assert entry.actor == superuser
    assert entry.data["changed"]["email"] == {"old": "person@example.org", "new": "mine@example.org"}
    assert entry.data["changed"]["is_active"] == {"old": True, "new": False}
