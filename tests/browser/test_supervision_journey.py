"""The supervision ledger from both sides: a practitioner adds a case and logs a session,
their supervisor is e-mailed and confirms it, and the practitioner sees it confirmed."""

import re

from playwright.sync_api import expect

from supervision.enums import SessionStatus
from supervision.models import SupervisionSession
from tests.factories import UserFactory
from tests.supervision.factories import days_ago, make_supervisor

from .test_training_journey import log_in


def log_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_practitioner_logs_a_session_and_the_supervisor_confirms_it(page, live_server, shot, mailbox):
    practitioner = UserFactory(full_name="Priya Practitioner", email="priya@example.org")
    supervisor = make_supervisor(full_name="Sam Supervisor", email="sam@example.org")

    page.goto("/accounts/login/")
    log_in(page, practitioner.email)
    page.goto("/members/")
    page.get_by_role("link", name=re.compile("Your supervision ledger")).click()
    expect(page.get_by_role("heading", name="Your supervision ledger")).to_be_visible()

    # A case: a name as its code is refused, a code is accepted.
    page.get_by_role("link", name="Add a case").click()
    page.get_by_label("Case code").fill("Jane Smith")
    page.get_by_label("Purpose").select_option(label="Practitioner training case")
    page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
    page.get_by_label("First session on").fill(days_ago(30).isoformat())
    page.get_by_role("button", name="Add the case").click()
    # Said at the top, in the error summary linking to the field, and at the field itself.
    expect(page.get_by_role("link", name=re.compile("^Case code: This looks like a person's name"))).to_be_visible()
    expect(page.locator("strong", has_text="This looks like a person's name")).to_be_visible()
    shot(page, "case-refused")
    page.get_by_label("Case code").fill("C-2026-01")
    page.get_by_role("button", name="Add the case").click()
    expect(page.get_by_role("heading", name="Case C-2026-01")).to_be_visible()

    # A session of 8.5 hours is refused; 1.5 hours is logged and awaits the supervisor.
    page.get_by_role("link", name="Your ledger").click()
    page.get_by_role("link", name="Log a supervision session").click()
    page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
    page.get_by_label("Date").fill(days_ago(2).isoformat())
    page.get_by_label("Hours").fill("8.5")
    page.get_by_label("C-2026-01").check()
    page.get_by_role("button", name="Log the session").click()
    expect(page.get_by_role("link", name="Hours: A session cannot be longer than 8 hours.")).to_be_visible()
    expect(page.get_by_text("A session cannot be longer than 8 hours.", exact=True)).to_be_visible()
    page.get_by_label("Hours").fill("1.5")
    page.get_by_role("button", name="Log the session").click()
    expect(page.get_by_text("Awaiting the supervisor's confirmation")).to_be_visible()
    shot(page, "ledger-pending")
    log_out(page)

    # The supervisor is e-mailed, opens their page and confirms.
    message = mailbox.last_to(supervisor.email)
    assert "Please confirm a supervision session: Priya Practitioner" in message.subject
    page.goto("/supervision/supervising/")
    log_in(page, supervisor.email)
    expect(page.get_by_role("heading", name="Supervising", level=1)).to_be_visible()
    shot(page, "supervisor-page")
    page.get_by_role("button", name=re.compile("^Confirm Priya Practitioner's session")).click()
    expect(page.get_by_text("You confirmed Priya Practitioner's session")).to_be_visible()
    expect(page.get_by_text("No sessions are waiting for you.")).to_be_visible()
    log_out(page)

    assert SupervisionSession.objects.get().status == SessionStatus.CONFIRMED
    assert "Supervision confirmed" in mailbox.last_to(practitioner.email).subject
    page.goto("/supervision/")
    log_in(page, practitioner.email)
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    shot(page, "ledger-confirmed")
