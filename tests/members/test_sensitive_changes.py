"""Sensitive account changes ask who is there again, and password resets go only to
verified addresses."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import UserFactory, current_totp_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def log_in(client, email):
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def age_the_login(client, seconds=600):
    """Move the session's record of how the person logged in back by `seconds`."""
    session = client.session
    records = session["account_authentication_methods"]
    session["account_authentication_methods"] = [{**record, "at": record["at"] - seconds} for record in records]
    session.save()


def test_adding_an_email_address_asks_for_the_password_again(client):
    UserFactory(email="member@example.org")
    log_in(client, "member@example.org")
    age_the_login(client)

    response = client.post("/accounts/email/", {"action_add": "", "email": "other@example.org"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="other@example.org").exists()

    client.post(response["Location"], {"password": PASSWORD})
    response = client.post("/accounts/email/", {"action_add": "", "email": "other@example.org"})
    assert EmailAddress.objects.filter(email="other@example.org", verified=False).exists()


def test_changing_the_password_needs_the_current_one(client):
    user = UserFactory(email="member@example.org")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "a guess", "password1": "A-new-long-secret-9", "password2": "A-new-long-secret-9"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_turning_off_two_factor_asks_for_reauthentication(client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(email="member@example.org")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    log_in(client, "member@example.org")
    client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(secret)})
    age_the_login(client)

    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert Authenticator.objects.filter(user=user, type="totp").exists()


def test_password_reset_goes_to_a_verified_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="member@example.org")
    # E-mails go through the outbox: a worker sends them once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "member@example.org"})
    [message] = mail.outbox
    assert re.search(r"/accounts/password/reset/key/\S+/", message.body)


def test_password_reset_is_never_sent_to_an_unverified_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="unverified@example.org", verified=False)
    EmailAddress.objects.create(user=UserFactory(), email="second@example.org", verified=False)

    for address in ["unverified@example.org", "second@example.org"]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password/reset/", {"email": address})
        assert response["Location"] == "/accounts/password/reset/done/"  # the same answer as ever

    assert not [message for message in mail.outbox if "/accounts/password/reset/key/" in message.body]
