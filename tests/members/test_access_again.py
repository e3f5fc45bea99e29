""" "Send me my access again": a sign-in code to the address on record, the same answer for
known and unknown addresses, and a rate limit."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/members/access/"


@pytest.fixture
def _request(django_capture_on_commit_callbacks):
    """Post the form; e-mails go through the outbox, sent by a worker once the request's
    transaction commits (Celery runs eager in tests), so the commit's callbacks are run."""

    def post(client, email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"email": email}, follow=True)
        messages = [str(message) for message in response.context["messages"]]
        return response, messages

    return post


def test_a_known_address_gets_a_code_that_signs_the_person_in_to_the_members_area(client, _request):
    person = UserFactory(email="member@example.org")
    response, messages = _request(client, "Member@Example.org")
    assert response.redirect_chain[-1][0].startswith(reverse("account_confirm_login_code"))
    assert messages == ["A sign-in code has been sent to member@example.org."]

    [message] = mail.outbox
    assert message.to == ["member@example.org"]
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.MULTILINE).group(1)
    signed_in = client.post(response.redirect_chain[-1][0], {"code": code})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("members:home")
    assert int(client.session["_auth_user_id"]) == person.pk


def test_an_unknown_address_gets_the_same_answer_and_no_code(client, settings, _request):
    UserFactory(email="member@example.org")
    known, known_messages = _request(client, "member@example.org")
    other_client = type(client)()
    unknown, unknown_messages = _request(other_client, "stranger@example.org")

    assert [url for url, _ in unknown.redirect_chain] == [url for url, _ in known.redirect_chain]
    assert unknown.status_code == known.status_code
    assert unknown_messages == ["A sign-in code has been sent to stranger@example.org."]
    assert known_messages == ["A sign-in code has been sent to member@example.org."]
    # The unknown address is told, at that address only, that it has no account.
    to_stranger = [message for message in mail.outbox if message.to == ["stranger@example.org"]]
    assert len(to_stranger) == 1
    assert not re.search(r"^\s*[A-Z0-9]{3,}-[A-Z0-9]{3,}\s*$", to_stranger[0].body, re.MULTILINE)


def test_requests_are_rate_limited_per_address(client, _request, django_capture_on_commit_callbacks):
    UserFactory(email="member@example.org")
    for _ in range(3):
        _request(type(client)(), "member@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": "member@example.org"})
    assert response.status_code == 200
    assert "Too many" in response.content.decode()
    assert len(mail.outbox) == 3


def test_the_page_explains_itself_and_a_signed_in_person_is_sent_on(client):
    text = client.get(URL).content.decode()
    assert "Send me my access again" in text
    assert 'name="email"' in text
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 302
