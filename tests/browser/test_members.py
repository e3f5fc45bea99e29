"""Members' journeys through the browser: "send me my access again" from the FAQs, and
joining the North-West network."""

import re

from playwright.sync_api import expect

from members.enums import MembershipStatus
from members.models import NetworkMembership
from tests.members.factories import practitioner

from .test_accounts import field, log_in_with_password, navbar

PASSWORD = "correct horse battery"  # UserFactory's password


def test_send_me_my_access_again_signs_a_member_in(page, shot, mailbox):
    member = practitioner(full_name="Melanie Klein")
    page.goto("/faqs/")
    page.get_by_role("button", name="I have lost the link to the members area. What should I do?").click()
    shot(page, "faq")
    page.get_by_role("link", name="Send me my access again").click()

    expect(page.get_by_role("heading", name="Send me my access again")).to_be_visible()
    field(page, "Email").fill(member.email)
    shot(page, "request")
    page.get_by_role("button", name="Send me a sign-in code").click()

    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    expect(page.get_by_text(f"A sign-in code has been sent to {member.email}.")).to_be_visible()
    shot(page, "enter-code")
    field(page, "Code").fill(mailbox.login_code(member.email))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_text("Welcome, Melanie Klein.")).to_be_visible()
    expect(page.get_by_role("heading", name="For members")).to_be_visible()
    expect(navbar(page).get_by_role("button", name="Sign out")).to_be_visible()
    shot(page, "members-area")


def test_an_unknown_address_gets_the_same_answer(page, shot, mailbox):
    page.goto("/members/access/")
    field(page, "Email").fill("nobody.here@example.org")
    page.get_by_role("button", name="Send me a sign-in code").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    expect(page.get_by_text("A sign-in code has been sent to nobody.here@example.org.")).to_be_visible()
    shot(page, "same-answer")
    assert "/accounts/signup/" in mailbox.last_to("nobody.here@example.org").body


def test_a_practitioner_joins_the_north_west_network(page, shot, mailbox):
    member = practitioner(full_name="Wilfred Bion")
    page.goto("/accounts/login/?next=/members/networks/")
    log_in_with_password(page, shot, member.email, PASSWORD)

    expect(page.get_by_role("heading", name="Regional DIT networks")).to_be_visible()
    page.get_by_role("link", name="DIT North-West Network").click()
    expect(page.get_by_role("heading", name="DIT North-West Network", level=1)).to_be_visible()
    expect(page.get_by_text("Every two months").first).to_be_visible()
    expect(page.get_by_text("The network's contacts are shown to its members.")).to_be_visible()
    shot(page, "network")

    page.get_by_role("link", name="Join this network").click()
    expect(page.get_by_text("so you can join straight away")).to_be_visible()
    shot(page, "join")
    page.get_by_role("button", name="Join the network").click()

    expect(page.get_by_text("You have joined the DIT North-West Network.")).to_be_visible()
    expect(page.get_by_role("link", name="wendy.saint@nhs.net")).to_be_visible()
    expect(page.get_by_role("link", name="Leave this network")).to_be_visible()
    shot(page, "member")
    assert mailbox.last_to(member.email).subject == "Welcome to the DIT North-West Network"
    assert NetworkMembership.objects.get(person=member).status == MembershipStatus.ACTIVE
