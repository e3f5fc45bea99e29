"""The reminder job on real infrastructure: two runs at once on PostgreSQL, and the beat job
executed by a real Celery worker through Redis."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from dit_portal.celery import app as celery_app
from reminders import services
from reminders.enums import ReminderStatus
from reminders.models import Reminder
from reminders.rules import TrainingStartsSoon
from reminders.tasks import send_due_reminders
from tests.concurrency import at_once
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

RULE = TrainingStartsSoon()
PEOPLE = 30


def starting_soon(people):
    run = make_run(starts_in=4)
    return [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED) for _ in range(people)]


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once():
    for round_number in range(3):
        mail.outbox = []
        enrolments = starting_soon(PEOPLE)
        # Small batches, so the two runs interleave their claims.
        outcomes = at_once(*[lambda: services.send_due_reminders(rules=[RULE], batch_size=7)] * 2)
        assert outcomes == ["done", "done"], outcomes
        recipients = sorted(address for message in mail.outbox for address in message.to)
        assert recipients == sorted(enrolment.trainee.email for enrolment in enrolments), round_number
        assert Reminder.objects.filter(person__in=[e.trainee for e in enrolments], status="sent").count() == PEOPLE


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_reminder_job_end_to_end():
    """Beat's task goes through the Redis broker to a running worker, which claims, sends and
    records; run again, it sends nothing new."""
    assert celery_app.conf.task_always_eager is False
    enrolments = starting_soon(3)
    finished = []

    def count(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == send_due_reminders.name:
            finished.append(retval)

    task_postrun.connect(count, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
            send_due_reminders.delay()
            send_due_reminders.delay()
            deadline = time.monotonic() + 30
            while len(finished) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(count)
    assert finished == [{"due": 3, "sent": 3}, {"due": 3, "sent before": 3}]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.trainee.email for e in enrolments)
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 3
