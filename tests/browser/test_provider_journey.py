"""A provider's year, from both sides: the provider uploads a completer list, sees every
error, fixes the file and uploads it again; a coordinator approves it in the admin; the
provider uploads a supervision record and sees the 6-hour requirement move."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from members import roles
from members.models import User
from providers.enums import ReviewStatus
from providers.models import CompleterList
from tests.factories import UserFactory, current_totp_code
from tests.providers.factories import (
    GOOD_ROWS,
    HEADER,
    ProviderFactory,
    afc_trainer,
    days_ago,
    provider_user,
    report,
    xlsx_bytes,
)
from tests.trainings.factories import PDF_BYTES

from .test_training_journey import log_in, textbox


def write_csv(path, rows):
    path.write_text("\n".join(",".join(row) for row in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_completer_list_errors_fixed_approved_then_supervision_moves_the_hours(
    page, browser, live_server, shot, tmp_path
):
    provider = ProviderFactory(name="Instituto DIT Lisboa")
    member = provider_user(provider, full_name="Paula Provider")
    delivery = report(provider, by=member, starts_in=-60)
    supervisor = afc_trainer(full_name="Alex Centre-Trainer")
    known = UserFactory(email="ana.sousa@example.pt", full_name="Ana Sousa")
    coordinator = UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    bad = write_csv(
        tmp_path / "completers.csv",
        [
            GOOD_ROWS[0],
            ["Rui Costa", "rui.costa-at-example.pt", "Psychotherapist", "", "completed"],
            ['=HYPERLINK("http://x")', "eve@example.pt", "Nurse", "", "completed"],
        ],
    )

    # The provider signs in and opens the uploads from the menu.
    page.goto("/accounts/login/")
    log_in(page, member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your organisation").click()
    expect(page.get_by_role("heading", name="Instituto DIT Lisboa", level=1)).to_be_visible()
    requirements = page.locator("#requirements")
    expect(requirements.get_by_text("0 of 6 hours")).to_be_visible()
    shot(page, "dashboard")
    page.get_by_role("navigation", name="Provider").get_by_role("link", name="Uploads").click()
    page.get_by_role("link", name="Upload a completer list").click()

    # A list with two bad rows: every error is listed and nothing is saved.
    page.get_by_label("Training").select_option(label=str(delivery))
    page.get_by_label(re.compile("List of the people who completed it")).set_input_files(str(bad))
    page.get_by_role("button", name="Check and upload").click()
    errors = page.get_by_role("region", name=re.compile("Errors found"))
    expect(errors.get_by_role("heading", name="Errors found (2)")).to_be_visible()
    expect(errors.get_by_text("“rui.costa-at-example.pt” is not an e-mail address.")).to_be_visible()
    expect(errors.get_by_text("which a spreadsheet would run as a formula")).to_be_visible()
    shot(page, "completer-errors")
    assert not CompleterList.objects.exists()

    # Fixed, and as a workbook this time.
    fixed = tmp_path / "completers-fixed.xlsx"
    fixed.write_bytes(xlsx_bytes(GOOD_ROWS))
    page.get_by_label("Training").select_option(label=str(delivery))
    page.get_by_label(re.compile("List of the people who completed it")).set_input_files(str(fixed))
    page.get_by_role("button", name="Check and upload").click()
    expect(page.get_by_text("waits for a coordinator's approval")).to_be_visible()
    expect(page.get_by_test_id("review-status")).to_have_text("Awaiting review")
    expect(page.get_by_role("cell", name="rui.costa@example.pt")).to_be_visible()
    shot(page, "completer-list-saved")
    assert not User.objects.filter(email="rui.costa@example.pt").exists()

    # A coordinator approves it in the admin.
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto("/admin/providers/completerlist/")
    log_in(staff, coordinator.email)
    textbox(staff, "Code").fill(current_totp_code(secret))
    staff.get_by_role("button", name="Sign In").click()
    expect(staff.get_by_role("heading", name="Select completer list to view")).to_be_visible()
    staff.get_by_role("link", name=re.compile("Completers of")).click()
    expect(staff.get_by_text("rui.costa@example.pt")).to_be_visible()
    shot(staff, "admin-completer-list")
    staff.get_by_role("button", name="Approve").click()
    # Approving creates accounts, so a page first says whose (authority work): confirmed there.
    expect(staff.get_by_role("heading", name="Approve and bring these people into the portal?")).to_be_visible()
    expect(staff.get_by_role("row", name=re.compile("rui.costa@example.pt"))).to_contain_text("new account created")
    staff.get_by_role("button", name="Yes, approve and create the accounts").click()
    expect(staff.get_by_text(re.compile("approved\\."))).to_be_visible()
    shot(staff, "admin-approved")
    staff_context.close()
    completer_list = CompleterList.objects.get()
    assert completer_list.review_status == ReviewStatus.APPROVED
    assert completer_list.rows.get(email="ana.sousa@example.pt").person == known
    assert User.objects.filter(email="rui.costa@example.pt").exists()

    # The provider sees the approval, then uploads a supervision record.
    page.reload()
    expect(page.get_by_test_id("review-status")).to_have_text("Approved")
    page.get_by_role("navigation", name="Provider").get_by_role("link", name="Uploads").click()
    expect(page.get_by_test_id("supervision-hours")).to_contain_text("0 of 6 hours")
    page.get_by_role("link", name="Upload a supervision record").click()
    record = tmp_path / "supervision-march.pdf"
    record.write_bytes(PDF_BYTES)
    page.get_by_label("AFC trainer who supervised").select_option(label=str(supervisor))
    page.get_by_label("Date of the supervision").fill(days_ago(7).isoformat())
    page.get_by_label("Hours").fill("3.5")
    page.get_by_label("The supervision record (PDF)").set_input_files(str(record))
    shot(page, "supervision-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Supervision record saved: 3.5 hours.")).to_be_visible()
    expect(page.get_by_test_id("supervision-hours")).to_contain_text("3.5 of 6 hours")
    expect(page.get_by_role("link", name="supervision-march.pdf")).to_be_visible()
    page.get_by_role("navigation", name="Provider").get_by_role("link", name="Dashboard").click()
    expect(requirements.get_by_text("3.5 of 6 hours")).to_be_visible()
    expect(requirements.get_by_text("2.5 hours still to go.")).to_be_visible()
    shot(page, "dashboard-after-supervision")
