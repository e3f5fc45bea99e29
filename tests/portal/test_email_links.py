"""A link in an e-mail is always absolute: e-mail templates put `site_url` before every path,
and allauth's account e-mails link to the address being served under `make run` (DEBUG on,
SITE_URL empty)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

pytestmark = pytest.mark.django_db

ABSOLUTE = re.compile(r'href="(?:\{\{ *site_url *\}\}|https?:|mailto:|\{\{ *\w*url\w* *\}\})')


def test_every_link_in_the_e_mail_templates_is_absolute():
    relative = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if "emails" not in path.parts:
            continue
        for match in re.finditer(r'href="[^"]*"', path.read_text()):
            if not ABSOLUTE.match(match.group(0)):
                relative.append(f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}")
    assert not relative, relative


def test_the_verification_link_is_absolute_under_make_run(client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    settings.SITE_URL = ""
    # E-mails go through the outbox: a worker sends them once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "email": "new.person@example.org",
                "password1": "a-long-pass-phrase-9",
                "password2": "a-long-pass-phrase-9",
                "full_name": "New Person",
            },
        )
    message = mail.outbox[-1]
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    for part in (message.body, html):
        links = re.findall(r"[^\s\"'>]*/accounts/confirm-email/[^\s\"'<]+", part)
        assert links and all(re.match(r"https?://testserver/", link) for link in links), part
