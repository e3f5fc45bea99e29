"""At 1280 px wide, the applications and course-runs lists show each row's status, run,
places and links without scrolling sideways."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from members import roles
from tests.factories import UserFactory, current_totp_code
from tests.trainings.factories import CourseFactory, EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

from .test_training_journey import log_in, textbox

WIDTH = 1280


def fits(page, locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_admin_lists_fit_1280_pixels(browser, live_server, shot):
    course = CourseFactory(title="DIT for Complex Care: an advanced two-day training")
    run = make_run(course=course, label="Autumn 2027, Anna Freud Centre, London", capacity=2, venue="x" * 80)
    long_name = "Maximiliana Wolstenholme-Featherstonehaugh"
    EnrolmentFactory(
        run=run, status=EnrolmentStatus.ACCEPTED, trainee=UserFactory(full_name=long_name, email="m.w-f@example.org")
    )
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    coordinator = UserFactory(role=roles.COORDINATOR)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/admin/trainings/enrolment/")
    log_in(page, coordinator.email)
    textbox(page, "Code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Select application to change")).to_be_visible()
    shot(page, "applications-1280")
    row = page.get_by_role("row").filter(has_text=long_name)
    for cell in ("field-status", "field-run_link", "field-place", "field-applicant"):
        assert fits(page, row.locator(f".{cell}")), cell
    assert fits(page, row.get_by_role("link", name=re.compile("Autumn 2027")))
    assert no_sideways_scroll(page)

    page.goto("/admin/trainings/courserun/")
    expect(page.get_by_role("heading", name="Select course run to change")).to_be_visible()
    shot(page, "course-runs-1280")
    row = page.get_by_role("row").filter(has_text="Autumn 2027")
    for cell in ("field-status", "field-places", "field-shortcuts"):
        assert fits(page, row.locator(f".{cell}")), cell
    for link in ("Applications", "Attendance"):
        assert fits(page, row.get_by_role("link", name=link, exact=True)), link
    expect(row.locator(".field-places")).to_have_text("1 / 2, 1 waiting")
    assert no_sideways_scroll(page)
    context.close()
