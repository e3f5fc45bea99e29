"""The public register of accredited DIT practitioners (members.selectors.register_entries,
members.register_views.register)."""

import datetime

import pytest
from django.urls import reverse

from members.enums import CredentialKind, CredentialStatus
from members.privacy import erase_person
from members.services import profile_of, set_credential_status, update_profile
from tests.factories import UserFactory, staff_with_totp

pytestmark = pytest.mark.django_db

REGISTER = "/register/"


def listed(full_name, *, kinds=(CredentialKind.PRACTITIONER,), region="North West", country="GB", opted_in=True):
    person = UserFactory(full_name=full_name)
    for kind in kinds:
        set_credential_status(person, kind, CredentialStatus.ACCREDITED, effective_on=datetime.date(2024, 5, 2))
    update_profile(person, values={"on_register": opted_in, "region": region, "country": country}, by=person)
    return person


def names(response):
    return [person.full_name for person in response.context["page"].object_list]


def test_a_check_answers_without_the_list(client):
    listed("Kit Kane")
    response = client.get(REGISTER, {"check_name": "Kit Kane", "check_credential": CredentialKind.PRACTITIONER})
    assert response.context["page"] is None
    assert "Search or browse the whole register" in response.text


def held(response):
    return {person.full_name: [c.kind for c in person.register_credentials] for person in response.context["page"]}


def test_lists_people_who_opted_in_with_their_credentials_region_and_no_address(client):
    person = listed("Ada Ashby", kinds=(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR))
    listed("Ben Brook", opted_in=False)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert names(response) == ["Ada Ashby"]
    assert "DIT Practitioner, accredited since 2 May 2024" in response.text
    assert "DIT Supervisor, accredited since 2 May 2024" in response.text
    assert "North West, United Kingdom" in response.text
    assert person.email not in response.text
    assert "Ben Brook" not in response.text


def test_opt_in_is_off_by_default_and_withdrawing_takes_effect_at_once(client):
    person = UserFactory(full_name="Cleo Carr")
    set_credential_status(person, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    assert profile_of(person).on_register is False
    assert names(client.get(REGISTER)) == []

    client.force_login(person)
    form = {"full_name": "Cleo Carr", "details-on_register": "on", "details-region": "London"}
    assert client.post(reverse("members:profile"), form).status_code == 302
    assert names(client.get(REGISTER)) == ["Cleo Carr"]

    del form["details-on_register"]
    assert client.post(reverse("members:profile"), form).status_code == 302
    assert names(client.get(REGISTER)) == []


@pytest.mark.parametrize("status", [CredentialStatus.LAPSED, CredentialStatus.SUSPENDED, CredentialStatus.REVOKED])
def test_a_credential_that_no_longer_holds_is_never_shown(client, status):
    person = listed("Dina Dale", kinds=(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR))
    set_credential_status(person, CredentialKind.SUPERVISOR, status)
    response = client.get(REGISTER)
    assert held(response) == {"Dina Dale": [CredentialKind.PRACTITIONER]}
    assert "DIT Practitioner, accredited since" in response.text
    assert "DIT Supervisor, accredited since" not in response.text

    set_credential_status(person, CredentialKind.PRACTITIONER, status)
    assert names(client.get(REGISTER)) == []


def test_an_in_progress_credential_does_not_put_anyone_on_the_register(client):
    person = UserFactory(full_name="Eli Eden")
    set_credential_status(person, CredentialKind.PRACTITIONER, CredentialStatus.IN_PROGRESS)
    update_profile(person, values={"on_register": True}, by=person)
    assert names(client.get(REGISTER)) == []


def test_an_erased_person_never_appears(client):
    person = listed("Fay Frost")
    erase_person(person, by=staff_with_totp(None, is_superuser=True), reason="Asked to be forgotten")
    response = client.get(REGISTER)
    assert names(response) == []
    assert "Erased person" not in response.text


def test_a_deactivated_account_does_not_appear(client):
    person = listed("Gus Grey")
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert names(client.get(REGISTER)) == []


def test_search_by_name_region_country_and_credential(client):
    listed("Hana Hale", region="North West", country="GB")
    listed("Hanif Hussain", region="Ontario", country="CA", kinds=(CredentialKind.SUPERVISOR,))
    listed("Ivo Ince", region="North East", country="GB", kinds=(CredentialKind.TRAINER,))
    assert names(client.get(REGISTER, {"name": "han"})) == ["Hana Hale", "Hanif Hussain"]
    assert names(client.get(REGISTER, {"region": "north"})) == ["Hana Hale", "Ivo Ince"]
    assert names(client.get(REGISTER, {"country": "CA"})) == ["Hanif Hussain"]
    assert names(client.get(REGISTER, {"credential": CredentialKind.TRAINER})) == ["Ivo Ince"]
    nothing = client.get(REGISTER, {"name": "Zed"})
    assert names(nothing) == []
    assert "No one on the register matches your search" in nothing.text


def test_an_empty_register_says_so(client):
    assert "No one is listed on the register yet." in client.get(REGISTER).text


def test_employer_check_by_exact_name_and_credential(client):
    listed("Jo March", kinds=(CredentialKind.PRACTITIONER,))
    found = client.get(REGISTER, {"check_name": "  jo   MARCH ", "check_credential": CredentialKind.PRACTITIONER})
    assert found.context["answer"] is True
    assert "On the register:" in found.text

    for name, kind in [("Jo Marc", CredentialKind.PRACTITIONER), ("Jo March", CredentialKind.SUPERVISOR)]:
        missing = client.get(REGISTER, {"check_name": name, "check_credential": kind})
        assert missing.context["answer"] is False
        assert "Not found:" in missing.text
        assert "This does not mean the person is not accredited" in missing.text


def test_employer_check_needs_a_name(client):
    response = client.get(REGISTER, {"check_name": " ", "check_credential": CredentialKind.PRACTITIONER})
    assert response.context["answer"] is None
    assert "This field is required." in response.text or "Give the person" in response.text


def test_paginated(client):
    for n in range(23):
        listed(f"Person {n:02d}")
    first = client.get(REGISTER)
    assert len(names(first)) == 20
    assert "Page 1 of 2" in first.text
    assert names(client.get(REGISTER, {"page": 2})) == ["Person 20", "Person 21", "Person 22"]


def test_register_is_rate_limited_per_address(client, settings):
    settings.REGISTER_SEARCH_RATE = "2/m"
    assert [client.get(REGISTER).status_code for _ in range(2)] == [200, 200]
    limited = client.get(REGISTER, {"name": "a"})
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert client.get(REGISTER, REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_register_query_count_does_not_grow(client, django_assert_num_queries, size):
    for n in range(size):
        listed(f"Member {n:03d}", kinds=(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR))
    # The count, the page of people with their profiles, their accredited credentials, menu pages.
    with django_assert_num_queries(4):
        response = client.get(REGISTER, {"credential": CredentialKind.PRACTITIONER})
    assert len(names(response)) == min(size, 20)
