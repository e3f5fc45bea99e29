"""Failed-login limits count per client. Behind the TLS proxy every request arrives from
the proxy's address; with TRUSTED_PROXY_COUNT set, allauth takes the client from the
address the proxy appended to X-Forwarded-For. Without it the header is ignored, so a
forged one cannot buy more attempts."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMITED = "Too many failed login attempts"
PROXY = "10.0.0.2"


def fail_logins(client, times, forwarded_for=None):
    """Failed logins, each for a different address (so only the per-client limit counts)."""
    response = None
    for attempt in range(times):
        headers = {"X-Forwarded-For": forwarded_for(attempt)} if forwarded_for else {}
        response = client.post(
            "/accounts/login/",
            {"login": f"nobody{attempt}@example.org", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            headers=headers,
        )
    return response


def log_in(client, forwarded_for):
    UserFactory(email="member@example.org")
    return client.post(
        "/accounts/login/",
        {"login": "member@example.org", "password": "correct horse battery"},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_one_proxy_two_clients_are_limited_separately(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The attacker forges a header of its own; the proxy appends the real address.
    locked_out = fail_logins(client, 11, forwarded_for=lambda n: f"192.0.2.{n}, 203.0.113.66")
    assert LIMITED in locked_out.text

    response = log_in(client, forwarded_for="198.51.100.7")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_without_trusted_proxies_a_forged_header_buys_no_attempts(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    locked_out = fail_logins(client, 11, forwarded_for=lambda n: f"192.0.2.{n}")
    assert LIMITED in locked_out.text

    response = log_in(client, forwarded_for="198.51.100.7")
    assert LIMITED in response.text
    assert "_auth_user_id" not in client.session


def test_the_count_comes_from_the_environment():
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "1", "DJANGO_SETTINGS_MODULE": "dit_portal.settings"}
    output = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert output.stdout.strip() == "1", output.stderr
