"""A training starting within 7 days: its edges."""

import pytest
from django.core import mail

from reminders import services
from reminders.rules import TrainingStartsSoon
from tests.trainings.factories import EnrolmentFactory, in_days, make_run
from trainings.enums import DeliveryMode, EnrolmentStatus, RunStatus

pytestmark = pytest.mark.django_db
RULE = TrainingStartsSoon()


def sweep(today=None):
    return services.send_due_reminders(rules=[RULE], today=today)


def accepted_on(run, **kwargs):
    return EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, **kwargs)


@pytest.mark.parametrize(("starts_in", "reminded"), [(0, False), (1, True), (7, True), (8, False)])
def test_reminded_from_seven_days_before_the_first_day(starts_in, reminded, django_capture_on_commit_callbacks):
    run = make_run(starts_in=starts_in, day_count=3)
    enrolment = accepted_on(run)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert bool(mail.outbox) is reminded
    if reminded:
        [message] = mail.outbox
        assert message.to == [enrolment.trainee.email]


@pytest.mark.parametrize(
    "status",
    [EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED, EnrolmentStatus.WITHDRAWN],
)
def test_only_accepted_trainees_are_reminded(status, django_capture_on_commit_callbacks):
    EnrolmentFactory(run=make_run(starts_in=3), status=status)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert mail.outbox == []


def test_a_cancelled_run_reminds_nobody(django_capture_on_commit_callbacks):
    run = make_run(starts_in=3)
    accepted_on(run)
    run.status = RunStatus.CANCELLED
    run.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert mail.outbox == []


def test_an_in_person_reminder_gives_the_venue_and_days(django_capture_on_commit_callbacks):
    run = make_run(
        dates=[in_days(5), in_days(12)],
        mode=DeliveryMode.IN_PERSON,
        venue="Anna Freud Centre, 4-8 Rodney Street, London N1 9JH",
        notes="Bring the pre-course reading.",
    )
    enrolment = accepted_on(run, trainee__full_name="Vera Venue")
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    [message] = mail.outbox
    assert message.subject == f"{run.course.title} starts on {in_days(5):%A %-d %B}"
    assert "Dear Vera Venue" in message.body
    assert "Where: Anna Freud Centre, 4-8 Rodney Street, London N1 9JH" in message.body
    assert f"{in_days(12):%A %-d %B %Y}" in message.body
    assert "Bring the pre-course reading." in message.body
    assert f"/trainings/mine/{enrolment.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "Anna Freud Centre" in html and f"/trainings/mine/{enrolment.pk}/" in html


def test_an_online_reminder_points_to_the_joining_details(django_capture_on_commit_callbacks):
    run = make_run(starts_in=2, mode=DeliveryMode.ONLINE)
    accepted_on(run)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    [message] = mail.outbox
    assert "online; the joining details are on the training's page" in message.body
    assert run.get_absolute_url() in message.body
