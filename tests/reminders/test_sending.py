"""Exactly once: recorded, never sent twice, retried after a failure, held back when paused or
turned off, and nothing at all when the transaction rolls back."""

import pytest
from django.core import mail
from django.db import transaction

from dit_portal.audit import entries_for
from members import roles
from reminders import services
from reminders.enums import ReminderStatus
from reminders.models import Reminder
from reminders.rules import TrainingStartsSoon
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

from .backends import outbox_to

pytestmark = pytest.mark.django_db
RULE = TrainingStartsSoon()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def sweep(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_due_reminders(rules=[RULE], **kwargs)

    return sweep


def starting_soon(people=1, **trainee):
    run = make_run(starts_in=5)
    return [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, **trainee) for _ in range(people)]


def test_a_reminder_is_recorded_and_sent_once_however_often_the_job_runs(sweep):
    [enrolment] = starting_soon()
    assert sweep()["sent"] == 1
    assert sweep()["sent before"] == 1
    assert sweep()["sent"] == 0
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get()
    assert (reminder.person, reminder.kind, reminder.period_key) == (
        enrolment.trainee,
        "training_starts_soon",
        f"run-{enrolment.run_id}",
    )
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)
    assert reminder.sent_at is not None
    assert reminder.subject == mail.outbox[0].subject


def test_a_failed_send_is_retried_by_the_next_run_and_then_sent_once(sweep, refused):
    [ok] = starting_soon()
    [bounced] = starting_soon()
    refused.add(bounced.trainee.email)
    outcome = sweep()
    assert (outcome["sent"], outcome["failed"]) == (1, 1)
    failed = Reminder.objects.get(person=bounced.trainee)
    assert failed.status == ReminderStatus.FAILED
    assert "550 mailbox unavailable" in failed.last_error

    refused.clear()
    outcome = sweep()
    assert (outcome["sent"], outcome["failed"]) == (1, 0)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (ReminderStatus.SENT, 2, "")
    sweep()
    assert len(outbox_to(ok.trainee.email)) == 1
    assert len(outbox_to(bounced.trainee.email)) == 1


def test_a_claim_left_by_a_run_that_died_is_not_sent_again(sweep):
    """A row claimed by a run that stopped before sending is never sent by another run: it
    may already have gone out, and a duplicate is worse than a reminder shown as stuck."""
    [enrolment] = starting_soon()
    Reminder.objects.create(
        person=enrolment.trainee,
        kind=RULE.kind,
        period_key=f"run-{enrolment.run_id}",
        subject="…",
        claim_token="00000000-0000-0000-0000-000000000000",
        claimed_at="2026-01-01T07:00Z",
    )
    sweep()
    assert mail.outbox == []


def test_a_rolled_back_run_records_and_sends_nothing(django_capture_on_commit_callbacks):
    starting_soon(people=2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.send_due_reminders(rules=[RULE])
        raise RuntimeError("the job failed after claiming")
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_paused_people_get_nothing_until_the_pause_is_lifted(sweep):
    coordinator = UserFactory(role=roles.COORDINATOR)
    [enrolment] = starting_soon()
    pause = services.pause_reminders(enrolment.trainee, by=coordinator, reason="On leave until May")
    assert sweep()["held back"] == 1
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    services.resume_reminders(pause, by=coordinator)
    assert sweep()["sent"] == 1
    actions = [entry.action for entry in entries_for(enrolment.trainee)]
    assert actions == ["reminders.person.resumed", "reminders.person.paused"]


def test_pausing_needs_a_reason_and_happens_once():
    coordinator = UserFactory(role=roles.COORDINATOR)
    person = UserFactory()
    with pytest.raises(services.ReminderError, match="Say why"):
        services.pause_reminders(person, by=coordinator, reason="")
    services.pause_reminders(person, by=coordinator, reason="Asked us to")
    with pytest.raises(services.ReminderError, match="already paused"):
        services.pause_reminders(person, by=coordinator, reason="Again")


def test_an_optional_reminder_turned_off_is_not_sent(sweep):
    [enrolment] = starting_soon()
    services.set_reminder_choices(enrolment.trainee, wanted_kinds=[], by=enrolment.trainee)
    assert sweep()["held back"] == 1
    assert mail.outbox == []
    services.set_reminder_choices(enrolment.trainee, wanted_kinds=[RULE.kind], by=enrolment.trainee)
    assert sweep()["sent"] == 1


def test_only_optional_reminders_can_be_turned_off():
    person = UserFactory()
    with pytest.raises(services.ReminderError, match="Not an optional reminder"):
        services.set_reminder_choices(person, wanted_kinds=["no_such_reminder"], by=person)


def test_inactive_people_get_nothing(sweep):
    starting_soon(trainee__is_active=False)
    assert sweep()["held back"] == 1
    assert mail.outbox == []


@pytest.mark.parametrize("people", [10, 50])
def test_a_sweep_costs_the_same_queries_for_10_and_50_people(
    people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    starting_soon(people=people)
    # candidates, their run days, pauses, opt-outs, sent before; the claim's savepoint, insert,
    # retry update and release; after commit the claimed rows and the update marking them sent.
    with django_assert_num_queries(11), django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(rules=[RULE], batch_size=100)
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == people
    assert len(mail.outbox) == people


def test_a_sweep_reads_in_batches(django_assert_num_queries, django_capture_on_commit_callbacks):
    starting_soon(people=25)
    # Three batches of 10, 10 and 5, each costing the same as one batch above.
    with django_assert_num_queries(33), django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(rules=[RULE], batch_size=10)
    assert len(mail.outbox) == 25


class BrokenRule(TrainingStartsSoon):
    kind = "broken"

    def candidates(self, today):
        raise RuntimeError("a rule with a bug")


def test_a_broken_rule_does_not_keep_the_other_reminders_back(django_capture_on_commit_callbacks, caplog):
    starting_soon()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.send_due_reminders(rules=[BrokenRule(), RULE])
    assert (outcome["rules failed"], outcome["sent"]) == (1, 1)
    assert "Reminder rule broken failed" in caplog.text
