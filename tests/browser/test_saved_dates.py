"""Every form and admin form with a date box, opened in Chromium with a saved date and
submitted unchanged, keeps the date.

The forms come from a registry: the portal's own forms (tests/portal/test_date_widgets.py)
and every admin change form with a date field. Each is either opened here with a saved date
(CASES) or only creates a record, so there is no saved date to show (CREATING). A new form
with a date box fails `test_every_date_box_is_classified` until it is added to one of them.

`<input type="date">` shows and sends only ISO dates: a date rendered as 25/10/2026 shows
as an empty box, and saving the form unchanged stores nothing or is refused."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import expect

from members.enums import CredentialKind, CredentialStatus
from members.models import CredentialEvent, PersonProfile
from members.services import set_credential_status
from supervision.models import Case, CpdRecord
from tests.clients import PortalClient
from tests.factories import UserFactory, staff_with_totp
from tests.portal.test_date_widgets import DATE_FIELDS
from tests.supervision.factories import CaseFactory, CpdFactory, make_supervisor
from tests.trainings.factories import make_run
from trainings.models import CourseRun


def past_date():
    """A day that cannot be read as a month (the 25th), some weeks ago."""
    return (timezone.localdate() - datetime.timedelta(days=60)).replace(day=25)


def future_date():
    return (timezone.localdate() + datetime.timedelta(days=120)).replace(day=25)


@dataclass
class Opened:
    """A form opened with a saved date: who opens it, where, the date boxes and the dates
    they must show, the button that saves, the message a save shows, and the dates read
    back from the database afterwards."""

    user: object
    url: str
    boxes: dict
    button: str
    saved_message: str
    read_back: Callable[[], dict]
    before_saving: Callable = None


def profile_details():
    person = UserFactory()
    saved = future_date()
    PersonProfile.objects.create(person=person, registration_body="hcpc", registration_valid_until=saved)
    return Opened(
        user=person,
        url="/members/profile/",
        boxes={"details-registration_valid_until": saved},
        button="Save",
        saved_message="Your profile has been saved.",
        read_back=lambda: {
            "details-registration_valid_until": PersonProfile.objects.get(person=person).registration_valid_until
        },
    )


def credential_status():
    holder = UserFactory()
    credential = set_credential_status(
        holder, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED, effective_on=past_date()
    )

    def choose_status(page):
        page.get_by_label("New status").select_option(CredentialStatus.SUSPENDED)
        page.get_by_label("Why").fill("Registration lapsed.")

    return Opened(
        user=staff_with_totp(),
        url=f"/admin/members/heldcredential/{credential.pk}/status/",
        boxes={"effective_on": timezone.localdate()},
        button="Change status",
        saved_message="is now suspended",
        read_back=lambda: {
            "effective_on": CredentialEvent.objects.filter(credential=credential).latest("pk").effective_on
        },
        before_saving=choose_status,
    )


def run_days():
    first, second = future_date(), future_date() + datetime.timedelta(days=7)
    run = make_run(dates=[first, second])
    return Opened(
        user=staff_with_totp(),
        url=f"/admin/trainings/courserun/{run.pk}/days/",
        boxes={"days-0-date": first, "days-1-date": second},
        button="Save days",
        saved_message="Nothing changed.",
        read_back=lambda: {
            f"days-{index}-date": date
            for index, date in enumerate(run.days.order_by("date").values_list("date", flat=True))
        },
    )


def _ended_case():
    started, ended = past_date() - datetime.timedelta(days=62), past_date()
    return CaseFactory(supervisor=make_supervisor(), started_on=started, ended_on=ended)


def case_ended():
    case = _ended_case()
    return Opened(
        user=case.practitioner,
        url=f"/supervision/cases/{case.pk}/ended/",
        boxes={"ended_on": case.ended_on},
        button="Save",
        saved_message="has been marked as ended.",
        read_back=lambda: {"ended_on": Case.objects.get(pk=case.pk).ended_on},
    )


def _admin_change(model, obj, fields):
    saved = {name: getattr(obj, name) for name in fields}
    return Opened(
        user=staff_with_totp(),
        url=f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/",
        boxes=saved,
        button="Save",
        saved_message="was changed successfully",
        read_back=lambda: {name: getattr(model.objects.get(pk=obj.pk), name) for name in fields},
    )


def admin_person_profile():
    person = UserFactory()
    profile = PersonProfile.objects.create(person=person, registration_valid_until=future_date())
    return _admin_change(PersonProfile, profile, ["registration_valid_until"])


def admin_course_run():
    run = make_run()
    run.application_deadline = run.days.order_by("date").first().date - datetime.timedelta(days=3)
    run.save(update_fields=["application_deadline"])
    return _admin_change(CourseRun, run, ["application_deadline"])


def admin_case():
    return _admin_change(Case, _ended_case(), ["started_on", "ended_on"])


def admin_cpd_record():
    return _admin_change(CpdRecord, CpdFactory(date=past_date()), ["date"])


CASES = {
    "PersonProfileForm.registration_valid_until": profile_details,
    "CredentialStatusForm.effective_on": credential_status,
    "RunDayForm.date": run_days,
    "EndCaseForm.ended_on": case_ended,
    "admin:members.PersonProfile.registration_valid_until": admin_person_profile,
    "admin:trainings.CourseRun.application_deadline": admin_course_run,
    "admin:supervision.Case.started_on": admin_case,
    "admin:supervision.Case.ended_on": admin_case,
    "admin:supervision.CpdRecord.date": admin_cpd_record,
}

CREATING = {
    "CaseForm.started_on": "a new case",
    "CaseForm.ended_on": "a new case",
    "TherapyHoursForm.date": "new hours",
    "SessionForm.date": "a new supervision session",
    "RecordingForm.session_date": "a new recording",
    "CpdForm.date": "a new CPD record",
    "CaseStudyDecisionForm.resubmit_by": "a new decision",
    "IssueCertificateForm.achieved_on": "a new certificate",
    "PaymentForm.received_on": "a new payment",
    "InvoiceDueDateForm.due_on": "a new invoice (its default, or the date sent back from its confirmation page)",
    "SupervisionRecordForm.date": "a new supervision record",
    "NetworkEventForm.date": "a new network event",
}


def admin_change_form_date_fields():
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    found = set()
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request, model(pk=1), change=True)
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField):
                found.add(f"admin:{model._meta.label}.{name}")
    return found


@pytest.mark.django_db
def test_every_date_box_is_classified():
    registry = {f"{form.__name__}.{name}" for form, name, _ in DATE_FIELDS} | admin_change_form_date_fields()
    classified = set(CASES) | set(CREATING)
    assert registry - classified == set(), "Open these with a saved date here, or list them as creating only."
    assert classified - registry == set(), "No longer a date box: remove from CASES or CREATING."


def sign_in(context, user, live_server):
    """Give the browser a complete session of `user`, the admin's second step included."""
    client = PortalClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    secure = settings.SESSION_COOKIE_SECURE
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": live_server.url.replace("http://", "https://") if secure else live_server.url,
                "secure": secure,
            }
        ]
    )


def _shown(page, name):
    box = page.locator(f'[name="{name}"]')
    return box.input_value(), box.get_attribute("type")


@pytest.mark.parametrize("open_form", sorted(set(CASES.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_a_saved_date_survives_saving_the_form_unchanged(open_form, page, context, live_server, shot):
    opened = open_form()
    sign_in(context, opened.user, live_server)
    response = page.goto(opened.url)
    assert response.status == 200, (opened.url, response.status)
    shot(page, "opened")
    for name, saved in opened.boxes.items():
        value, kind = _shown(page, name)
        if kind == "date":
            assert value == saved.isoformat(), f"{name} shows {value!r}, saved {saved}"
        else:
            assert value, f"{name} shows nothing, saved {saved}"
    if opened.before_saving:
        opened.before_saving(page)
    page.locator(
        f'[type="submit"][value="{opened.button}"], button[type="submit"]:text-is("{opened.button}")'
    ).first.click()
    expect(page.get_by_text(opened.saved_message, exact=False).first).to_be_visible()
    shot(page, "saved")
    assert opened.read_back() == opened.boxes
