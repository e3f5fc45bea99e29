"""WCAG 2.2 AA in the browser: axe-core (packaged with axe-playwright-python, no network) on
every public, member and trainee page, no serious or critical violation; the skip link,
menu contrast and form-control borders checked by what the browser computes; and the
pages phones see at 390 px (screenshots in test-output/screenshots)."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from dit_portal.models import Page
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status, update_profile
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings import services
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course

AXE = Axe()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}


def serious_violations(page):
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def sign_in(context, user, live_server):
    """Give the browser a session of `user`, as if they had signed in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                # A secure (or __Host-) cookie is set for the https origin; the browser sends
                # it to http://localhost too, as it does for the cookie the sign-in form sets.
                "url": live_server.url.replace("http://", "https://")
                if settings.SESSION_COOKIE_SECURE
                else live_server.url,
                "secure": settings.SESSION_COOKIE_SECURE,
            }
        ]
    )


@pytest.fixture
def trainings_world():
    """Runs and applications of every kind a trainee meets."""
    five_day = Course.objects.get(slug="5-day-dit-training")
    open_run = make_run(course=five_day, label="Spring cohort, London", mode="in_person", venue="1 Example St")
    full_run = make_run(course=Course.objects.get(slug="dit-refresher"), label="Refresher, online", capacity=1)
    EnrolmentFactory(run=full_run, status=EnrolmentStatus.ACCEPTED)
    full_run.status = RunStatus.FULL
    full_run.save()
    cancelled = make_run(course=five_day, label="Cancelled cohort")
    trainee = UserFactory(full_name="Tamsin Trainee")
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    update_profile(trainee, values={"on_register": True, "region": "London", "country": "GB"}, by=trainee)
    applied = EnrolmentFactory(run=open_run, trainee=trainee)
    waiting = EnrolmentFactory(run=full_run, trainee=trainee, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    placed = EnrolmentFactory(
        run=make_run(course=five_day, label="Autumn cohort, online"), trainee=trainee, status=EnrolmentStatus.ACCEPTED
    )
    EnrolmentFactory(run=cancelled, trainee=trainee)
    services.change_run_status(cancelled, RunStatus.CANCELLED, by=None, reason="The venue is closed.")
    return {
        "trainee": trainee,
        "open_run": open_run,
        "full_run": full_run,
        "cancelled": cancelled,
        "applied": applied,
        "waiting": waiting,
        "placed": placed,
    }


def public_urls(world):
    pages = [page.get_absolute_url() for page in Page.objects.filter(is_published=True)]
    return [
        "/",
        *pages,
        "/faqs/",
        "/contact/",
        "/contact/sent/",
        "/trainings/",
        "/trainings/courses/",
        *[f"/trainings/courses/{slug}/" for slug in Course.objects.values_list("slug", flat=True)],
        world["open_run"].get_absolute_url(),
        world["full_run"].get_absolute_url(),
        world["cancelled"].get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/login/code/",
        "/accounts/password/reset/",
        "/register/",
        "/register/?check_name=Tamsin+Trainee&check_credential=practitioner",
        "/register/?name=Nobody",
        "/certificates/verify/",
    ]


def member_urls(world):
    return [
        "/members/",
        "/members/profile/",
        "/members/my-data/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/contact/",
        "/trainings/mine/",
        world["open_run"].get_absolute_url(),
        world["full_run"].get_absolute_url(),
        f"/trainings/runs/{make_run(label='Fresh cohort').pk}/apply/",
        f"/trainings/runs/{make_run(course=Course.objects.get(slug='20-day-dit-programme')).pk}/apply/",
        world["applied"].get_absolute_url(),
        world["waiting"].get_absolute_url(),
        world["placed"].get_absolute_url(),
        f"/trainings/mine/{world['applied'].pk}/withdraw/",
    ]


def check_pages(page, urls):
    failures = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert urlsplit(page.url).path == urlsplit(url).path, f"{url} sent on to {page.url}"
        found = serious_violations(page)
        if found:
            failures[url] = found
    return failures


def test_public_pages_have_no_serious_accessibility_violations(page, trainings_world):
    failures = check_pages(page, public_urls(trainings_world))
    assert not failures, failures


def test_member_and_trainee_pages_have_no_serious_accessibility_violations(page, context, live_server, trainings_world):
    sign_in(context, trainings_world["trainee"], live_server)
    failures = check_pages(page, member_urls(trainings_world))
    assert not failures, failures


def test_the_checker_finds_a_serious_violation_when_there_is_one(page):
    """The check can fail: a checkbox without a label and yellow text on white are found."""
    page.goto("/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<p class="text-warning">Faint text</p><input type="checkbox">');
        }"""
    )
    found = " ".join(serious_violations(page))
    assert "color-contrast" in found
    assert "label" in found


def contrast(page, selector, foreground="color", background="background-color"):
    """The WCAG contrast ratio of an element's colour against the nearest opaque background."""
    return page.eval_on_selector(
        selector,
        """(element, [foreground, background]) => {
            const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
            const luminance = ([r, g, b]) => {
                const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
            };
            let back = element;
            while (back && rgb(getComputedStyle(back)[background] || 'rgba(0,0,0,0)')[3] === 0) back = back.parentElement;
            const fore = rgb(getComputedStyle(element)[foreground]);
            const behind = back ? rgb(getComputedStyle(back)[background]) : [255, 255, 255];
            const [light, dark] = [luminance(fore), luminance(behind)].sort((a, b) => b - a);
            return (light + 0.05) / (dark + 0.05);
        }""",
        [foreground, background],
    )


def test_skip_link_menu_contrast_and_control_borders(page, shot, trainings_world):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    # Visible above the navigation bar: the element at its centre is the skip link itself.
    box = skip.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Skip to main content"
    shot(page, "skip-link-focused")
    skip.press("Enter")
    assert page.url.endswith("#main")

    links = page.locator(".site-nav .nav-link").count()
    assert links >= 5
    for index in range(links):
        assert contrast(page, f".site-nav .nav-link >> nth={index}") >= 4.5
    page.goto("/contact/")
    assert contrast(page, "#id_name", foreground="border-top-color") >= 3
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<input class="form-check-input" type="radio" id="probe-radio" aria-label="probe">'
            + '<input class="form-check-input" type="checkbox" id="probe-box" aria-label="probe">')"""
    )
    assert contrast(page, "#probe-radio", foreground="border-top-color") >= 3
    assert contrast(page, "#probe-box", foreground="border-top-color") >= 3


def test_phone_pages_put_what_matters_first(browser, live_server, trainings_world):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=1)
    sign_in(context, trainings_world["trainee"], live_server)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    folder = settings.BASE_DIR / "test-output" / "screenshots" / "phone-390"
    folder.mkdir(parents=True, exist_ok=True)

    # The dashboard: nothing wider than the screen, the "where it stands" of each application shown.
    phone.goto("/trainings/mine/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stands = phone.locator('td[data-label="Where it stands"]').first
    expect(stands).to_be_visible()
    box = stands.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    phone.screenshot(path=str(folder / "dashboard.png"), full_page=True)

    # The run page: where, places left, apply by and the button come before the fee table.
    phone.goto(make_run(course=Course.objects.get(slug="5-day-dit-training"), label="Phone cohort").get_absolute_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    facts = phone.get_by_text("Places left").bounding_box()
    button = phone.get_by_role("link", name="Apply for this training").bounding_box()
    fees = phone.locator("table").filter(has_text="Fee").first.bounding_box()
    assert facts["y"] < fees["y"] and button["y"] < fees["y"]
    assert button["y"] + button["height"] <= PHONE["height"] * 1.5  # reached with one short scroll at most
    phone.screenshot(path=str(folder / "run-page.png"), full_page=True)
    context.close()


@pytest.fixture
def admin_world(trainings_world):
    """A record behind each admin page the portal adds or customises."""
    from django.core.files.base import ContentFile

    from accreditation.models import CaseStudySubmission
    from providers import services as provider_services
    from providers.enums import FeeKind
    from tests.factories import staff_with_totp
    from tests.providers.factories import ProviderFactory

    coordinator = staff_with_totp()
    run = trainings_world["open_run"]
    submission = CaseStudySubmission(person=trainings_world["trainee"], number=1, file_name="study.pdf")
    submission.file.save("study.pdf", ContentFile(b"%PDF-1.4"), save=False)
    submission.save()
    provider = ProviderFactory()
    invoice = provider_services.issue_invoice(provider, [provider_services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    credential = trainings_world["trainee"].credentials.first()
    return {
        "coordinator": coordinator,
        "provider": provider,
        "urls": [
            "/admin/",
            f"/admin/trainings/courserun/{run.pk}/attendance/",
            f"/admin/trainings/courserun/{run.pk}/days/",
            f"/admin/trainings/enrolment/{trainings_world['applied'].pk}/change/",
            f"/admin/accreditation/casestudysubmission/{submission.pk}/change/",
            "/admin/accreditation/roleplayresult/add/",
            "/admin/accreditation/candidate/",
            "/admin/accreditation/candidate/?ready=now",
            f"/admin/members/heldcredential/{credential.pk}/status/",
            "/admin/members/heldcredential/import/",
            f"/admin/providers/invoice/{invoice.pk}/payment/",
            f"/admin/providers/provider/{provider.pk}/invoice/",
            "/admin/certificates/certificate/add/",
        ],
    }


def test_admin_pages_the_portal_customises_have_no_serious_accessibility_violations(
    page, context, live_server, admin_world
):
    from tests.browser.test_saved_dates import sign_in as sign_in_with_second_factor

    sign_in_with_second_factor(context, admin_world["coordinator"], live_server)
    failures = {}
    for url in admin_world["urls"]:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert urlsplit(page.url).path == urlsplit(url).path, f"{url} sent on to {page.url}"
        # The autocompletes are named by static/js/portal_admin.js once the page has loaded.
        page.wait_for_selector(".select2-selection:not([aria-label])", state="detached")
        found = serious_violations(page)
        if found:
            failures[url] = found
    # The invoice's confirmation page answers the issue form's POST.
    page.goto(f"/admin/providers/provider/{admin_world['provider'].pk}/invoice/")
    page.select_option("#id_line-0-fee", index=1)
    page.click("input[type=submit]")
    page.wait_for_selector("text=Issue this invoice to")
    found = serious_violations(page)
    if found:
        failures["the invoice's confirmation page"] = found
    assert not failures, failures
