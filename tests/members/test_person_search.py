"""Coordinators find people in the admin by surname, by any part of a name or by the start of
an e-mail address, on every list of people's records (members/search.py)."""

import pytest
from django.db import connection

from members import roles
from members.enums import CredentialKind
from members.search import matching_people
from tests.factories import UserFactory, staff_with_totp
from tests.members.factories import practitioner
from tests.supervision.factories import SessionFactory, make_supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "brown": UserFactory(full_name="Alice Brown", email="alice@nhs.example"),
        "brownlow": UserFactory(full_name="Tom Brownlow", email="tom@trust.example"),
        "other": UserFactory(full_name="Grace Evans", email="brownie@clinic.example"),
        "unrelated": UserFactory(full_name="Dev Khan", email="dev@clinic.example"),
    }


@pytest.fixture
def coordinator_client(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    return client


def shown(response):
    return {str(row) for row in response.context["cl"].result_list}


def test_a_surname_finds_people_whose_full_name_contains_it(people):
    # ...and people whose address starts with it ("brownie@clinic.example").
    assert set(matching_people("brown")) == {people["brown"], people["brownlow"], people["other"]}
    assert set(matching_people(" Alice Br ")) == {people["brown"]}


def test_an_e_mail_term_matches_the_start_of_the_address_only(people):
    assert set(matching_people("brownie@")) == {people["other"]}
    assert set(matching_people("@clinic.example")) == set()
    assert set(matching_people("dev")) == {people["unrelated"]}  # a name term also matches an address's start


def test_the_people_list_finds_a_surname(coordinator_client, people):
    response = coordinator_client.get("/admin/members/user/", {"q": "Brown"})
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {people["brown"], people["brownlow"], people["other"]}


def test_held_credentials_are_found_by_the_holders_surname(coordinator_client):
    found = practitioner(full_name="Priya Brown")
    practitioner(full_name="Priya Shah")
    response = coordinator_client.get("/admin/members/heldcredential/", {"q": "brown"})
    assert [credential.holder for credential in response.context["cl"].result_list] == [found]
    assert response.context["cl"].result_list[0].kind == CredentialKind.PRACTITIONER


def test_sessions_are_found_by_the_practitioners_or_the_supervisors_name(coordinator_client):
    supervisor = make_supervisor(full_name="Nora Brown")
    by_supervisor = SessionFactory(supervisor=supervisor)
    by_practitioner = SessionFactory(practitioner=UserFactory(full_name="Sam Brownlow"))
    SessionFactory(practitioner=UserFactory(full_name="Ola Ahmed"))
    response = coordinator_client.get("/admin/supervision/supervisionsession/", {"q": "brown"})
    assert set(response.context["cl"].result_list) == {by_supervisor, by_practitioner}
    by_address = coordinator_client.get(
        "/admin/supervision/supervisionsession/", {"q": by_practitioner.practitioner.email[:8]}
    )
    assert by_practitioner in set(by_address.context["cl"].result_list)


def test_the_holder_autocomplete_finds_a_surname(coordinator_client, people):
    response = coordinator_client.get(
        "/admin/autocomplete/",
        {"term": "brownl", "app_label": "members", "model_name": "heldcredential", "field_name": "holder"},
    )
    assert [row["id"] for row in response.json()["results"]] == [str(people["brownlow"].pk)]


@pytest.mark.needs_postgres
def test_a_name_search_can_be_answered_from_the_trigram_index(people):
    """The index's expression must be the one the ORM's icontains writes, or PostgreSQL
    reads every person. With sequential scans off, the plan must use the index."""
    sql, params = matching_people("Brown").values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "members_user_full_name_trigram" in plan, plan
