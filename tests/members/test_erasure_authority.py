"""Who may erase whom: staff roles come from groups, so a coordinator erases members only
(never the Programme Director, another coordinator or anyone given rights); a superuser
erases anyone but themselves."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from members import roles
from members.models import User
from members.privacy import ErasureError, can_erase, erase_person
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db


def _staff_people():
    custom = Group.objects.create(name="Reading list editors")
    custom.permissions.add(Permission.objects.get(codename="change_reference"))
    given_rights = UserFactory()
    given_rights.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    return {
        "programme director": UserFactory(role=roles.PROGRAMME_DIRECTOR),
        "coordinator": UserFactory(role=roles.COORDINATOR),
        "member of a group with rights": UserFactory(role="Reading list editors"),
        "person given rights": given_rights,
        "marked staff": UserFactory(is_staff=True),
        "superuser": UserFactory(is_superuser=True),
    }


def test_a_coordinator_cannot_erase_anyone_holding_a_staff_role():
    coordinator = staff_with_totp(roles.COORDINATOR)
    for label, person in _staff_people().items():
        assert can_erase(person, coordinator) == "Only a superuser may erase a staff account.", label
        with pytest.raises(ErasureError, match="Only a superuser"):
            erase_person(person, by=coordinator, reason="Asked")
        person.refresh_from_db()
        assert person.is_active and not person.email.endswith("@erased.invalid"), label


def test_a_coordinator_erases_members_supervisors_and_provider_users():
    coordinator = staff_with_totp(roles.COORDINATOR)
    for person in (UserFactory(), UserFactory(role=roles.SUPERVISOR), UserFactory(role=roles.PROVIDER_USER)):
        erase_person(person, by=coordinator, reason="Asked")
        person.refresh_from_db()
        assert not person.is_active


def test_a_superuser_erases_staff():
    superuser = UserFactory(is_superuser=True)
    people = _staff_people()
    for person in people.values():
        erase_person(person, by=superuser, reason="Left the Centre")
    assert not User.objects.filter(pk__in=[p.pk for p in people.values()], is_active=True).exists()


def test_the_admin_refuses_a_coordinator_erasing_the_director(client):
    coordinator = staff_with_totp(roles.COORDINATOR)
    director = staff_with_totp(roles.PROGRAMME_DIRECTOR)
    client.force_login(coordinator)
    chosen = {"action": "erase_people", "_selected_action": [director.pk], "apply": "1", "reason": "x"}
    client.post(reverse("admin:members_user_changelist"), chosen, follow=True)
    director.refresh_from_db()
    assert director.is_active and not director.email.endswith("@erased.invalid")
