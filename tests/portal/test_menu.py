"""The menu per role: grouped (About DIT, Trainings, For practitioners, Members), and each
role sees only its entries ("Supervising" only for people who may be named as supervisors,
"Your organisation" only for provider users, "Administration" only for staff)."""

import re

import pytest

from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db


def menu(client):
    html = client.get("/faqs/").text
    nav = html[html.index('aria-label="Main"') : html.index("</nav>")]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", entry).split())
        for entry in re.findall(r"<(?:a|button)\b[^>]*>(.*?)</(?:a|button)>", nav, re.S)
    ]


GROUPS = ["About DIT", "Trainings", "For practitioners", "Members"]


def test_a_visitor_sees_the_groups_and_sign_in(client):
    entries = menu(client)
    assert all(group in entries for group in GROUPS)
    assert {"Sign in", "Create account", "Find a DIT supervisor", "What is DIT"} <= set(entries)
    assert not {"Supervising", "My pathway", "Sign out", "Your organisation", "Administration"} & set(entries)


def test_supervising_only_for_people_who_may_supervise(client):
    trainee = UserFactory()
    client.force_login(trainee)
    entries = menu(client)
    assert {"My pathway", "Supervision ledger", "Sign out", "Your account"} <= set(entries)
    assert "Supervising" not in entries
    assert "Supervising" not in client.get("/members/").text

    set_credential_status(trainee, CredentialKind.SUPERVISOR, CredentialStatus.IN_PROGRESS)
    assert "Supervising" in menu(client)
    set_credential_status(trainee, CredentialKind.SUPERVISOR, CredentialStatus.ACCREDITED)
    set_credential_status(trainee, CredentialKind.SUPERVISOR, CredentialStatus.REVOKED)
    assert "Supervising" not in menu(client)

    client.force_login(UserFactory(role=roles.SUPERVISOR))
    assert "Supervising" in menu(client)


def test_provider_users_and_staff_see_their_own_entries(client):
    from tests.providers.factories import ProviderFactory, provider_user

    client.force_login(provider_user(ProviderFactory()))
    entries = menu(client)
    assert "Your organisation" in entries and "Administration" not in entries

    client.force_login(staff_with_totp(roles.COORDINATOR))
    entries = menu(client)
    assert "Administration" in entries and "Your organisation" not in entries
