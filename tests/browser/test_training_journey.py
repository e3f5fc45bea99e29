"""A training from both sides: a trainee finds a live training, applies with evidence, a
coordinator accepts the application in the admin, and the trainee sees the place."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from members import roles
from tests.factories import UserFactory, current_totp_code
from tests.trainings.factories import PDF_BYTES, make_run
from trainings.enums import EnrolmentStatus
from trainings.models import Course, Enrolment

PASSWORD = "correct horse battery"  # UserFactory's password


def field(page, label):
    """A form field by (part of) its label; crispy forms append "*" to required ones."""
    return page.get_by_label(label)


def textbox(page, label):
    return page.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}\*?$"))


def log_in(page, email, password=PASSWORD):
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    textbox(page, "Email").fill(email)
    textbox(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_apply_with_evidence_then_coordinator_accepts(page, browser, live_server, shot, mailbox, tmp_path):
    course = Course.objects.get(slug="20-day-dit-programme")  # as seeded by the catalogue migration
    run = make_run(course=course, label="Spring 2027, online", capacity=12)
    trainee = UserFactory(full_name="Tamsin Trainee")
    coordinator = UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    certificate = tmp_path / "diploma.pdf"
    certificate.write_bytes(PDF_BYTES)

    # Browse: the live trainings, filtered to the course, then the run's own page.
    page.goto("/")
    # The seeded public pages are in the menu, even after earlier tests flushed the database.
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="About DIT").click()
    expect(menu.get_by_role("link", name="What is DIT")).to_be_visible()
    menu.get_by_role("button", name="Trainings").click()
    menu.get_by_role("link", name="Live trainings").click()
    expect(page.get_by_role("heading", name="Live trainings", level=1)).to_be_visible()
    page.get_by_label("Course").select_option(label="20-Day DIT Programme")
    page.get_by_role("button", name="Show trainings").click()
    expect(page.get_by_text("1 training found.")).to_be_visible()
    shot(page, "live-trainings")
    page.get_by_role("link", name="20-Day DIT Programme").click()
    expect(page.get_by_role("heading", name=re.compile("20-Day DIT Programme"))).to_be_visible()
    expect(page.get_by_text("12 of 12 free")).to_be_visible()
    shot(page, "run-page")

    # Apply: log in on the way, answer the entry questions, upload the certificate.
    page.get_by_role("link", name="Sign in to apply").click()
    log_in(page, trainee.email)
    expect(page.get_by_role("heading", name="Apply for 20-Day DIT Programme")).to_be_visible()
    shot(page, "apply-form")
    page.get_by_role("group", name=re.compile("Do you hold a diploma-level")).get_by_label("Yes").check()
    # D19: the 20-day programme is for people who do not yet meet the psychodynamic competences.
    page.get_by_role("group", name=re.compile("Do you already meet the psychodynamic")).get_by_label("No").check()
    field(page, "Upload your certificate").set_input_files(str(certificate))
    field(page, "Which body are you currently fully registered with?").select_option("UKCP")
    field(page, "Registration number").fill("UKCP-20417")
    field(page, "Which NHS Talking Therapies").fill("Camden and Islington NHS Talking Therapies")
    shot(page, "apply-filled")
    page.get_by_role("button", name="Send application").click()

    expect(page.get_by_role("alert").filter(has_text="your application for")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Where your application stands: Applied"))).to_be_visible()
    expect(page.get_by_role("link", name="diploma.pdf")).to_be_visible()
    shot(page, "application-received")
    assert mailbox.last_to(trainee.email).subject == "Application received: 20-Day DIT Programme, Spring 2027, online"
    enrolment = Enrolment.objects.get(run=run, trainee=trainee)
    assert enrolment.answers.get(question="Qualification").evidence_name == "diploma.pdf"

    # A coordinator, in a browser of their own, accepts the application in the admin.
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto("/admin/trainings/enrolment/")
    log_in(staff, coordinator.email)
    textbox(staff, "Code").fill(current_totp_code(secret))
    staff.get_by_role("button", name="Sign in").click()
    expect(staff.get_by_role("heading", name="Select application to change")).to_be_visible()
    staff.get_by_role("link", name="Tamsin Trainee").click()
    expect(staff.get_by_role("link", name="diploma.pdf")).to_be_visible()
    shot(staff, "admin-application")
    staff.go_back()
    staff.get_by_role("checkbox", name=re.compile("Tamsin Trainee")).check()
    staff.get_by_role("combobox", name=re.compile("^Action")).select_option(label="Accept selected applications")
    shot(staff, "admin-accept-action")
    staff.get_by_role("button", name="Go").click()
    expect(staff.get_by_text("1 application accepted.")).to_be_visible()
    shot(staff, "admin-accepted")
    staff_context.close()

    # The trainee sees the place on their dashboard and has the e-mail.
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert mailbox.last_to(trainee.email).subject == "You have a place: 20-Day DIT Programme, Spring 2027, online"
    page.goto("/members/")
    page.get_by_role("link", name="Your trainings and applications").click()
    expect(page.get_by_role("heading", name="Your trainings", level=1)).to_be_visible()
    applications = page.get_by_role("region", name="Your applications")
    expect(applications.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(applications.get_by_text("You have a place on this training.")).to_be_visible()
    expect(
        page.get_by_role("region", name="Upcoming trainings").get_by_role(
            "link", name="20-Day DIT Programme: Spring 2027, online"
        )
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Upcoming trainings").get_by_role(
            "link", name=re.compile("^Add to calendar.*Spring 2027")
        )
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Documents you uploaded").get_by_role("link", name="diploma.pdf")
    ).to_be_visible()
    shot(page, "dashboard-accepted")
