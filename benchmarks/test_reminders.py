"""One reminder sweep over 10,000 people: time, and queries (bounded by batches, never one
per person)."""

import time

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import User
from reminders import services
from reminders.models import Reminder
from reminders.rules import TrainingStartsSoon
from tests.trainings.factories import make_run
from trainings.enums import EnrolmentStatus
from trainings.models import Enrolment

pytestmark = pytest.mark.django_db
PEOPLE = 10_000
RUNS = 50


@pytest.fixture
def ten_thousand_trainees_starting_soon(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"trainee{n}@example.org", full_name=f"Trainee {n}", password=unusable) for n in range(PEOPLE)
    )
    runs = [make_run(starts_in=5, capacity=PEOPLE) for _ in range(RUNS)]
    Enrolment.objects.bulk_create(
        Enrolment(run=runs[n % RUNS], trainee=user, status=EnrolmentStatus.ACCEPTED) for n, user in enumerate(users)
    )


def test_reminder_sweep_over_ten_thousand_people(
    benchmark, ten_thousand_trainees_starting_soon, report, django_capture_on_commit_callbacks
):
    measured = {}

    def sweep():
        Reminder.objects.all().delete()
        mail.outbox = []
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            outcome = services.send_due_reminders(rules=[TrainingStartsSoon()])
        measured.update(seconds=time.perf_counter() - started, queries=len(queries), sent=outcome["sent"])

    benchmark.pedantic(sweep, rounds=1, iterations=1)
    assert measured["sent"] == PEOPLE
    report(
        f"reminders: one sweep over {PEOPLE:,} people sent {measured['sent']:,} in {measured['seconds']:.1f} s "
        f"with {measured['queries']} queries (batches of {services.BATCH_SIZE})"
    )
