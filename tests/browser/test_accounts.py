"""Account journeys through the browser: sign-up with e-mail confirmation, password
login and logout, login by e-mailed code, a wrong password, and a coordinator's way into
the administration through the authenticator step."""

import re

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from members import roles
from members.models import User
from tests.factories import UserFactory, current_totp_code

PASSWORD = "correct horse battery"  # UserFactory's password


def navbar(page):
    return page.get_by_role("navigation", name="Main")


def field(page, label):
    """A form field by its label; crispy forms append "*" to the label of a required field."""
    return page.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}\*?$"))


def log_in_with_password(page, shot, email, password):
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    shot(page, "login-filled")
    page.get_by_role("button", name="Sign in").click()


def test_sign_up_confirm_email_and_reach_members_area(page, shot, mailbox):
    email = "ada.therapist@example.org"
    page.goto("/")
    shot(page, "home")

    navbar(page).get_by_role("link", name="Create account").click()
    expect(page.get_by_role("heading", name="Create account")).to_be_visible()
    shot(page, "signup")
    field(page, "Email").fill(email)
    field(page, "Full name").fill("Ada Lovelace-Byron")
    field(page, "Password").fill("Tavistock-river-1984!")
    field(page, "Password (again)").fill("Tavistock-river-1984!")
    shot(page, "signup-filled")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Verify your e-mail address")).to_be_visible()
    expect(page.get_by_text("We have sent an email to you for verification")).to_be_visible()
    shot(page, "verification-sent")
    assert not EmailAddress.objects.get(email=email).verified

    message = mailbox.last_to(email)
    assert message.subject.startswith("[DIT portal] ")
    page.goto(mailbox.confirmation_link(email))
    expect(page.get_by_role("heading", name="Confirm e-mail address")).to_be_visible()
    expect(page.get_by_role("link", name=email)).to_be_visible()
    shot(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()

    # Confirming in the browser that signed up logs the new member straight in.
    expect(page.get_by_role("alert").filter(has_text=f"You have confirmed {email}.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/members/$"))
    # A new account lands on what to do next, not on "you are not a member yet".
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    expect(page.get_by_text("Welcome, Ada Lovelace-Byron.")).to_be_visible()
    expect(navbar(page).get_by_role("button", name="Sign out")).to_be_visible()
    shot(page, "members-area")

    address = EmailAddress.objects.get(email=email)
    assert address.verified and address.primary
    assert address.user == User.objects.get(email=email)
    assert address.user.full_name == "Ada Lovelace-Byron"


def test_log_in_with_password_and_log_out(page, shot):
    user = UserFactory(full_name="Grace Hopper")
    page.goto("/")
    shot(page, "home")

    navbar(page).get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "login")
    log_in_with_password(page, shot, user.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_text("Welcome, Grace Hopper.")).to_be_visible()
    shot(page, "members-area")

    navbar(page).get_by_role("button", name="Sign out").click()
    expect(navbar(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(navbar(page).get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="You have signed out.")).to_be_visible()
    shot(page, "logged-out")

    # The members area is closed again.
    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/members/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "members-area-needs-login")


def test_log_in_with_emailed_code(page, shot, mailbox):
    user = UserFactory(full_name="Donald Winnicott")
    page.goto("/accounts/login/")
    shot(page, "login")

    page.get_by_role("link", name="Send me a sign-in code").click()
    expect(page.get_by_role("heading", name="Send me a sign-in code")).to_be_visible()
    shot(page, "request-code")
    field(page, "Email").fill(user.email)
    page.get_by_role("button", name="Request code").click()

    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    expect(page.get_by_role("link", name=user.email)).to_be_visible()
    shot(page, "enter-code")
    code = mailbox.login_code(user.email)
    field(page, "Code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_text("Welcome, Donald Winnicott.")).to_be_visible()
    expect(navbar(page).get_by_role("button", name="Sign out")).to_be_visible()
    shot(page, "members-area")


def test_wrong_password_shows_an_error(page, shot):
    user = UserFactory()
    page.goto("/accounts/login/")
    shot(page, "login")
    log_in_with_password(page, shot, user.email, "not the password")

    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(navbar(page).get_by_role("link", name="Sign in")).to_be_visible()
    shot(page, "login-error")


def test_coordinator_reaches_admin_through_authenticator_code(page, shot):
    coordinator = UserFactory(role=roles.COORDINATOR, full_name="Anna Freud")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "admin-sends-to-login")
    log_in_with_password(page, shot, coordinator.email, PASSWORD)

    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    shot(page, "authenticator-code")
    field(page, "Code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Coordination")).to_be_visible()
    expect(page.get_by_text("DIT portal administration")).to_be_visible()
    shot(page, "admin-index")
