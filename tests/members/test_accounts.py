import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_user_model_logs_in_by_email_and_has_no_username():
    user = User.objects.create_user("Ana@Example.org", "pw-12345-long")
    assert user.email == "ana@example.org"
    assert not hasattr(user, "username")
    assert User.USERNAME_FIELD == "email"


def test_signup_requires_confirming_the_email(client, django_capture_on_commit_callbacks):
    # Account e-mails go through the outbox: sent once the sign-up has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new@example.org",
                "full_name": "Nadia New",
                "password1": "a-Long-pass-phrase-1",
                "password2": "a-Long-pass-phrase-1",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new@example.org")
    assert user.full_name == "Nadia New"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session

    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)

    # Logging in before confirming does not let the person in.
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": "a-Long-pass-phrase-1"})
    assert response["Location"] == "/accounts/confirm-email/"

    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)
    assert EmailAddress.objects.get(user=user).verified


def test_signup_form_shows_field_errors_not_a_500(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-email", "full_name": "", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    html = response.text
    assert "Enter a valid email address." in html
    assert "This field is required." in html


def test_login_and_logout(client):
    user = UserFactory(email="member@example.org", full_name="Mona Member")
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert response["Location"] == "/members/"
    assert "Mona Member" in client.get("/members/").text
    client.post("/accounts/logout/")
    assert client.get("/members/")["Location"].startswith("/accounts/login/")
    assert user.pk


def test_wrong_password_says_so(client):
    UserFactory(email="member@example.org")
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text


def test_login_by_emailed_code_sends_access_again(client, django_capture_on_commit_callbacks):
    UserFactory(email="member@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": "member@example.org"})
    assert response["Location"] == "/accounts/login/code/confirm/"
    [message] = mail.outbox
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response["Location"] == "/members/"
    assert client.get("/members/").status_code == 200


def test_repeated_failed_logins_are_rate_limited_on_the_real_cache(client):
    UserFactory(email="member@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.text


def test_profile_name_change_is_saved_and_audited(client):
    user = UserFactory(full_name="Old Name")
    client.force_login(user)
    response = client.post("/members/profile/", {"full_name": "New Name"}, follow=True)
    assert "Your profile has been saved." in response.text
    user.refresh_from_db()
    assert user.full_name == "New Name"
    from dit_portal.audit import entries_for

    assert entries_for(user).get().data == {"full_name": ["Old Name", "New Name"]}


def test_profile_rejects_an_empty_name(client):
    user = UserFactory(full_name="Kept")
    client.force_login(user)
    response = client.post("/members/profile/", {"full_name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    user.refresh_from_db()
    assert user.full_name == "Kept"


def test_password_reset_by_emailed_link(client, django_capture_on_commit_callbacks):
    UserFactory(email="member@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "member@example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    [message] = mail.outbox
    path = "/" + re.search(r"https?://[^/]+/(accounts/password/reset/key/\S+/)", message.body).group(1)
    response = client.get(path)  # allauth moves the key into the session and redirects
    response = client.post(
        response["Location"], {"password1": "A-new-long-secret-9", "password2": "A-new-long-secret-9"}
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.login(email="member@example.org", password="A-new-long-secret-9")
