"""Staff sessions end after 30 minutes without a request, and the admin asks that this
session passed the TOTP step, not only that the person has a device."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from members import roles
from tests.factories import UserFactory, current_totp_code, staff_with_totp

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def later(minutes):
    """The clock `minutes` from now (the session store reads it to expire sessions)."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=minutes))


def test_a_staff_session_ends_after_30_idle_minutes(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    assert client.get("/admin/").status_code == 200
    with later(29):
        assert client.get("/admin/").status_code == 200  # activity starts the count again
    with later(29 + 31):
        response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_request_of_staff_starts_the_idle_count_again(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    for step in range(1, 4):
        with later(25 * step):
            assert client.get("/admin/").status_code == 200


def test_members_keep_normal_sessions(client):
    client.force_login(UserFactory())
    assert client.get("/members/").status_code == 200
    with later(31):
        assert client.get("/members/").status_code == 200
    with later(31 + 24 * 60):
        assert client.get("/members/").status_code == 200


def test_a_device_without_the_code_in_this_session_does_not_open_the_admin(client):
    coordinator = staff_with_totp(roles.COORDINATOR)
    client.force_login(coordinator, second_factor=False)
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"


def test_entering_the_code_in_this_session_opens_the_admin(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    coordinator = UserFactory(email="coord@example.org", role=roles.COORDINATOR)
    client.post("/accounts/login/", {"login": "coord@example.org", "password": PASSWORD})
    # TOTP turned on after logging in: the session has not passed the step yet.
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")

    response = client.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
