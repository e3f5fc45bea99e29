"""Plumbing for the browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server, screenshots of every page, and the locmem outbox.

The live server runs in a thread of this process, so tests read `django.core.mail.outbox`
directly. Playwright's sync API keeps an event loop running in the main thread, which makes
Django refuse ORM calls from the test unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
"""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser drives a browser against the live server: mark it
    `browser`, and give it a transactional database, as the live server commits for real
    (tests/conftest.py restores the seeded rows before each such test)."""
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists, so that
    an in-memory SQLite test database is shared with the server thread."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    """Pages open relative URLs on the live server: `page.goto("/accounts/login/")`."""
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def page(page):
    """Fail in seconds, not half a minute, when an element never shows up."""
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def shot(request):
    """`shot(page, label)` saves a full-page screenshot to
    test-output/screenshots/<test name>/<NN>-<label>.png and returns its path."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    if folder.exists():
        for old in folder.glob("*.png"):
            old.unlink()
    counter = 0

    def take(page, label):
        nonlocal counter
        counter += 1
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "-", label).strip("-")
        path = folder / f"{counter:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class Mailbox:
    """Reads the e-mail the live server sent, through Django's locmem backend."""

    def __init__(self, base_url):
        self.base_url = base_url

    def last_to(self, address, timeout=5.0):
        """The last message sent to `address`, waiting briefly for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            sent = [message for message in mail.outbox if address in message.to]
            if sent:
                return sent[-1]
            if time.monotonic() > deadline:
                subjects = [(message.to, message.subject) for message in mail.outbox]
                raise AssertionError(f"No e-mail sent to {address}; outbox: {subjects}")
            time.sleep(0.05)

    def confirmation_link(self, address):
        """The e-mail confirmation link from allauth's message, on the live server.

        allauth builds absolute links with ACCOUNT_DEFAULT_HTTP_PROTOCOL (https when DEBUG
        is off), so only the path is kept."""
        body = self.last_to(address).body
        match = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
        assert match, f"No confirmation link in:\n{body}"
        return self.base_url + urlsplit(match.group(0)).path

    def login_code(self, address):
        """The sign-in code from allauth's message, e.g. `KHNT-QZWB`."""
        body = self.last_to(address).body
        match = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", body, re.MULTILINE)
        assert match, f"No sign-in code in:\n{body}"
        return match.group(1)


@pytest.fixture
def mailbox(live_server):
    return Mailbox(live_server.url)
