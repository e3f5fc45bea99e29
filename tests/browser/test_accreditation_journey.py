"""From training to credential: a 5-day completer who passed the role-play logs two cases,
supervision and recordings; the supervisor confirms and rates them; the trainee uploads the
case study; a coordinator passes it in the admin and grants DIT Practitioner from the
"ready to accredit" queue; the trainee sees the credential on My pathway."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from accreditation import services
from accreditation.enums import RolePlayOutcome
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential
from tests.accreditation.helpers import PDF, completed, days_ago, supervisor
from tests.factories import UserFactory, current_totp_code

from .test_supervision_journey import log_out
from .test_training_journey import log_in, textbox


def test_five_day_completer_becomes_an_accredited_practitioner(page, browser, live_server, shot, tmp_path):
    trainee = UserFactory(full_name="Tamsin Trainee", email="tamsin@example.org")
    sam = supervisor(full_name="Sam Supervisor", email="sam@example.org")
    coordinator = UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    completed(trainee, "5-day-dit-training", ended=60)
    services.record_role_play(trainee, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(60), by=coordinator)
    study = tmp_path / "case-study.pdf"
    study.write_bytes(PDF)

    # My pathway: the training and role-play are met; supervision is next.
    page.goto("/pathway/")
    log_in(page, trainee.email)
    practitioner = page.get_by_role("region", name=re.compile("DIT Practitioner via the 5-Day"))
    expect(practitioner.get_by_text("Next step: Supervision")).to_be_visible()
    shot(page, "pathway-start")

    # Two concurrent training cases, each with two recordings for the supervisor to rate.
    for code in ("T-01", "T-02"):
        page.goto("/supervision/cases/add/")
        page.get_by_label("Case code").fill(code)
        page.get_by_label("Purpose").select_option(label="Practitioner training case")
        page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
        page.get_by_label("First session on").fill(days_ago(50).isoformat())
        page.get_by_role("button", name="Add the case").click()
        expect(page.get_by_role("heading", name=f"Case {code}")).to_be_visible()
        for phase, ago in (("Initial phase", 45), ("Middle phase", 30)):
            page.get_by_label("Phase").select_option(label=phase)
            page.get_by_label("Date of the recorded session").fill(days_ago(ago).isoformat())
            page.get_by_role("button", name="Log the recording").click()
            expect(page.get_by_text(re.compile(f"{phase}, session of"))).to_be_visible()

    # Sixteen hours of supervision, in two sessions of eight naming both cases.
    for ago in (40, 20):
        page.goto("/supervision/sessions/add/")
        page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
        page.get_by_label("Date").fill(days_ago(ago).isoformat())
        page.get_by_label("Hours").fill("8")
        page.get_by_label("T-01").check()
        page.get_by_label("T-02").check()
        page.get_by_role("button", name="Log the session").click()
        expect(page.get_by_text("Awaiting the supervisor's confirmation").first).to_be_visible()
    shot(page, "ledger-logged")
    log_out(page)

    # The supervisor confirms both sessions and rates the four recordings pass.
    page.goto("/supervision/supervising/")
    log_in(page, sam.email)
    for _ in range(2):
        page.get_by_role("button", name=re.compile("^Confirm Tamsin Trainee's session")).first.click()
        expect(page.get_by_text("You confirmed Tamsin Trainee's session")).to_be_visible()
    for _ in range(4):
        page.get_by_role("link", name=re.compile("^Rate")).first.click()
        page.get_by_label("Pass").check()
        page.get_by_role("button", name="Save the rating").click()
        expect(page.get_by_text(re.compile("has been rated"))).to_be_visible()
    expect(page.get_by_text("No recordings are waiting for a rating.")).to_be_visible()
    shot(page, "supervisor-done")
    log_out(page)

    # The trainee sees supervision met and uploads the case study.
    page.goto("/pathway/")
    log_in(page, trainee.email)
    expect(page.get_by_text("16 of 16 confirmed hours on 2 concurrent cases; 4 of 4 recordings passed")).to_be_visible()
    page.get_by_label("Your case study").set_input_files(str(study))
    page.get_by_role("button", name="Upload case study").click()
    expect(page.get_by_text("is uploaded for review")).to_be_visible()
    shot(page, "case-study-uploaded")

    # A coordinator passes the case study in the admin and grants the credential.
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto("/admin/accreditation/casestudysubmission/")
    log_in(staff, coordinator.email)
    textbox(staff, "Code").fill(current_totp_code(secret))
    staff.get_by_role("button", name="Sign In").click()
    staff.get_by_role("link", name="Tamsin Trainee").click()
    expect(staff.get_by_role("link", name="case-study.pdf")).to_be_visible()
    staff.get_by_label("Assessor").select_option(label=coordinator.name_and_email())
    staff.get_by_role("button", name="Save assessor").click()
    expect(staff.get_by_text("Assessor saved.")).to_be_visible()
    expect(staff.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    staff.get_by_label("Pass").check()
    staff.get_by_label("Feedback for the trainee").fill("A clear interpersonal focus throughout.")
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("Case study 1 of Tamsin Trainee: passed.")).to_be_visible()
    shot(staff, "admin-case-study-passed")
    staff.goto("/admin/accreditation/candidate/")
    staff.get_by_role("link", name="Grant DIT Practitioner…").click()
    expect(staff.get_by_text("they are e-mailed")).to_be_visible()
    staff.get_by_role("button", name="Yes, grant DIT Practitioner").click()
    expect(staff.get_by_text("Tamsin Trainee is now an accredited DIT Practitioner.")).to_be_visible()
    shot(staff, "admin-granted")
    staff_context.close()

    credential = HeldCredential.objects.get(holder=trainee, kind=CredentialKind.PRACTITIONER)
    assert credential.status == CredentialStatus.ACCREDITED and credential.route == "five_day"

    # The trainee sees the credential on My pathway.
    page.goto("/pathway/")
    expect(page.get_by_test_id("status-practitioner")).to_have_text(re.compile("Accredited since"))
    expect(page.get_by_text("A clear interpersonal focus throughout.")).to_be_visible()
    shot(page, "pathway-accredited")
