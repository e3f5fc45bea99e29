"""Response headers: a Content-Security-Policy that runs no inline script, a
Permissions-Policy, __Host- cookies over HTTPS, and no Server header from gunicorn."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/trainings/"])
def test_pages_carry_a_policy_that_runs_only_the_portals_own_scripts(client, url):
    policy = directives(client.get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_the_admin_carries_the_policy_too(client):
    from members import roles
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(roles.COORDINATOR))
    assert directives(client.get("/admin/"))["script-src"] == ["'self'"]


def inline_scripts(html):
    """Script elements with code in them (JSON data blocks do not run)."""
    found = []
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "application/json" in attributes or not body.strip():
            continue
        found.append(body.strip()[:80])
    return found


def test_no_template_of_the_portal_has_inline_script_or_event_handlers():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if inline_scripts(text) or re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_the_periodic_task_form_runs_its_script_from_a_file(client):
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(None, is_superuser=True))
    html = client.get("/admin/django_celery_beat/periodictask/add/").text
    assert inline_scripts(html) == []
    assert "js/periodic_task_form.js" in html


def test_permissions_policy_turns_off_unused_features(client):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
        assert feature in policy


def test_cookies_carry_the_host_prefix_over_https(client):
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"login": "x@example.org", "password": "y"})
    assert "__Host-csrftoken" in client.cookies
    cookie = client.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]

    from tests.factories import UserFactory

    UserFactory(email="member@example.org")
    client.post("/accounts/login/", {"login": "member@example.org", "password": "correct horse battery"})
    session_cookie = client.cookies["__Host-sessionid"]
    assert session_cookie["secure"] and session_cookie["path"] == "/" and not session_cookie["domain"]


def settings_in_subprocess(**env):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dit_portal.settings", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return result.stdout.split()


def test_plain_http_development_keeps_the_plain_cookie_names():
    assert settings_in_subprocess(DEBUG="true") == ["sessionid", "csrftoken"]
    assert settings_in_subprocess(DEBUG="false") == ["__Host-sessionid", "__Host-csrftoken"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_does_not_name_itself(tmp_path):
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "dit_portal.wsgi:application"],
        cwd=ROOT,
        env={
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "ALLOWED_HOSTS": "portal.example",
        },
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        headers = None
        for _ in range(300):
            try:
                # A host the portal does not serve: an error answer, without the database.
                request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "unknown.example"})
                urllib.request.urlopen(request, timeout=2)  # noqa: S310 (http to the local server)
            except urllib.error.HTTPError as error:
                headers = error.headers
                break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, (tmp_path / "gunicorn.log").read_text()
        assert "Server" not in headers
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
