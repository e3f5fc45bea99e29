"""A full run's waiting list from the trainee's side: they apply to a full training, see
their place in the queue, a place frees when someone withdraws, the offer arrives by
e-mail, and they accept it and see the place with its calendar file."""

import re
from pathlib import Path

from playwright.sync_api import expect

from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course, Enrolment

PASSWORD = "correct horse battery"  # UserFactory's password


def sign_in(page, email):
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("textbox", name=re.compile(r"^Email")).fill(email)
    page.get_by_role("textbox", name=re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_join_a_full_runs_waiting_list_and_take_the_offered_place(page, browser, live_server, shot, mailbox):
    course = Course.objects.get(slug="dit-refresher")
    run = make_run(
        course=course, label="Refresher, online", capacity=1, joining_details="Join at https://meet.example/r"
    )
    holder = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, trainee__full_name="Hana Holder")
    run.status = RunStatus.FULL
    run.save()
    trainee = UserFactory(full_name="Wren Waiting")
    # The refresher reads previous DIT training from the portal (D22): a practitioner on record.
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)

    # The run page says it is full and offers the waiting list.
    page.goto(run.get_absolute_url())
    expect(page.get_by_text("All 1 taken")).to_be_visible()
    expect(page.get_by_text("applicants now join the waiting list")).to_be_visible()
    shot(page, "full-run")
    page.get_by_role("link", name="Sign in to apply").click()
    sign_in(page, trainee.email)

    # The form says where the application goes, and the button says so too.
    expect(page.get_by_role("heading", name="Apply for DIT Refresher")).to_be_visible()
    expect(page.get_by_text("Every place on this training is taken")).to_be_visible()
    shot(page, "apply-to-full-run")
    page.get_by_role("button", name="Join the waiting list").click()

    expect(page.get_by_role("alert").filter(has_text="you have joined its waiting list")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Where your application stands: On the waiting list"))
    ).to_be_visible()
    expect(page.get_by_text("you are on the waiting list, number 1")).to_be_visible()
    shot(page, "on-the-waiting-list")
    assert "joined the waiting list, at number 1" in mailbox.last_to(trainee.email).body
    enrolment = Enrolment.objects.get(run=run, trainee=trainee)
    assert enrolment.status == EnrolmentStatus.WAITLISTED

    # The holder withdraws in a browser of their own; the freed place is offered to the trainee.
    holder_context = browser.new_context(base_url=live_server.url)
    other = holder_context.new_page()
    other.set_default_timeout(10_000)
    other.goto(f"/trainings/mine/{holder.pk}/withdraw/")
    sign_in(other, holder.trainee.email)
    expect(other.get_by_role("heading", name="Withdraw your application?")).to_be_visible()
    other.get_by_role("button", name="Withdraw").click()
    expect(other.get_by_text("has been withdrawn. We have sent you a confirmation.")).to_be_visible()
    holder_context.close()
    assert mailbox.last_to(holder.trainee.email).subject.startswith("Withdrawn:")

    offer = mailbox.last_to(trainee.email)
    assert offer.subject == f"A place is offered to you: DIT Refresher, {run.label}"
    link = re.search(r"https?://\S+(/trainings/mine/\d+/)", offer.body).group(1)

    # The trainee follows the e-mail's link and takes the place.
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile("Where your application stands: Place offered"))).to_be_visible()
    shot(page, "place-offered")
    page.get_by_role("button", name="Accept the place").click()
    expect(page.get_by_role("heading", name=re.compile("Where your application stands: Accepted"))).to_be_visible()
    place = page.get_by_role("region", name="Your place")
    expect(place.get_by_text("Join at https://meet.example/r")).to_be_visible()
    with page.expect_download() as download:
        place.get_by_role("link", name="Add the dates to your calendar (.ics)").click()
    assert download.value.suggested_filename == f"dit-training-{run.pk}.ics"
    assert b"BEGIN:VEVENT" in Path(download.value.path()).read_bytes()
    shot(page, "place-accepted")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert mailbox.last_to(trainee.email).subject == f"You have a place: DIT Refresher, {run.label}"
