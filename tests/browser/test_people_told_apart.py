"""Two people with the same name can be told apart wherever one is chosen or listed for a
decision: the role-play "Person" autocomplete, the attendance register and the supervisor's
queue each show the e-mail address, and the decision lands on the person chosen."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import RolePlayResult
from supervision.enums import SessionStatus
from supervision.models import SupervisionSession
from tests.accreditation.helpers import completed
from tests.factories import UserFactory, staff_with_totp
from tests.supervision.factories import SessionFactory, make_supervisor
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus
from trainings.models import Attendance

from .test_saved_dates import sign_in

NAME = "Alex Morgan"


def two_alex_morgans():
    return (
        UserFactory(full_name=NAME, email="alex.morgan@north.example"),
        UserFactory(full_name=NAME, email="a.morgan@south.example"),
    )


def test_the_role_play_person_autocomplete_offers_each_namesake_with_their_email(page, context, live_server, shot):
    _, south = two_alex_morgans()
    completed(south, "5-day-dit-training")  # D24: the role-play is taken after the whole training
    sign_in(context, staff_with_totp(), live_server)
    page.goto("/admin/accreditation/roleplayresult/add/")
    page.locator(".field-person .select2-selection").click()
    page.locator(".select2-search__field").fill("Alex Morgan")
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(2)
    shot(page, "two-namesakes")
    expect(options.filter(has_text="alex.morgan@north.example")).to_have_count(1)
    options.filter(has_text="a.morgan@south.example").click()
    expect(page.locator(".field-person .select2-selection__rendered")).to_contain_text("a.morgan@south.example")
    page.get_by_label("Outcome").select_option("pass")
    page.locator('[name="assessed_on"]').fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert list(RolePlayResult.objects.values_list("person", flat=True)) == [south.pk]


def test_the_attendance_register_shows_each_namesake_with_their_email(page, context, live_server, shot):
    north, south = two_alex_morgans()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    run = make_run(dates=[yesterday])
    for person in (north, south):
        EnrolmentFactory(run=run, trainee=person, status=EnrolmentStatus.ACCEPTED)
    sign_in(context, staff_with_totp(), live_server)
    page.goto(f"/admin/trainings/courserun/{run.pk}/attendance/")
    shot(page, "register")
    expect(page.get_by_role("rowheader").filter(has_text="alex.morgan@north.example")).to_have_count(1)
    expect(page.get_by_role("rowheader").filter(has_text="a.morgan@south.example")).to_have_count(1)
    page.get_by_role("checkbox", name="a.morgan@south.example").check()
    page.get_by_role("button", name="Save register").click()
    expect(page.get_by_text("Register saved")).to_be_visible()
    present = Attendance.objects.filter(day__run=run, present=True)
    assert list(present.values_list("enrolment__trainee", flat=True)) == [south.pk]


def test_the_supervisors_queue_shows_each_namesake_with_their_email(page, context, live_server, shot):
    north, south = two_alex_morgans()
    supervisor = make_supervisor()
    sessions = {person.pk: SessionFactory(practitioner=person, supervisor=supervisor) for person in (north, south)}
    sign_in(context, supervisor, live_server)
    page.goto("/supervision/supervising/")
    shot(page, "queue")
    sessions_awaiting = page.locator("section").filter(has_text="alex.morgan@north.example").first
    expect(sessions_awaiting).to_contain_text("a.morgan@south.example")
    page.get_by_role(
        "button", name=re.compile(r"^Confirm Alex Morgan's session .*\(a\.morgan@south\.example\)")
    ).click()
    expect(page.get_by_text("confirmed", exact=False).first).to_be_visible()
    assert SupervisionSession.objects.get(pk=sessions[south.pk].pk).status == SessionStatus.CONFIRMED
    assert SupervisionSession.objects.get(pk=sessions[north.pk].pk).status == SessionStatus.PENDING
