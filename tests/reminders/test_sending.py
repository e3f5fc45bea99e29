"""Exactly once: recorded, never sent twice, retried after a failure, held back when paused or
turned off, and nothing at all when the transaction rolls back."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import entries_for
from members import roles
from reminders import services
from reminders.enums import ReminderStatus
from reminders.models import Reminder, ReminderPause
from reminders.rules import TrainingStartsSoon
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

from .backends import outbox_to

pytestmark = pytest.mark.django_db
RULE = TrainingStartsSoon()
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def sweep(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_due_reminders(rules=[RULE], **kwargs)

    return sweep


def starting_soon(people=1, **trainee):
    run = make_run(starts_in=5)
    return [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, **trainee) for _ in range(people)]


def left_claimed(enrolment, claimed_at):
    """The row a run leaves when it stops after claiming a reminder, before sending it."""
    return Reminder.objects.create(
        person=enrolment.trainee,
        kind=RULE.kind,
        period_key=f"run-{enrolment.run_id}",
        subject="…",
        claim_token="00000000-0000-0000-0000-000000000000",
        claimed_at=claimed_at,
    )


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
    left_claimed(enrolment, "2026-01-01T07:00Z")
    assert sweep()["stale claims skipped"] == 1
    assert mail.outbox == []


def test_stale_claims_are_reported_in_the_log_and_on_the_coordinators_to_do_list(sweep, client, caplog):
    [enrolment] = starting_soon()
    left_claimed(enrolment, "2026-01-01T07:00Z")
    sweep()
    assert "1 reminder(s) were left being sent by a run that stopped and were skipped" in caplog.text
    client.force_login(staff_with_totp())
    page = client.get(reverse("admin:index")).text
    assert "1 reminder was left being sent by a run that stopped: check and send again." in page


class WorkerKilled(BaseException):
    """Like SIGKILL: not an error anything catches."""


class DyingBackend(locmem.EmailBackend):
    """The worker is killed while sending the third message (nothing after it runs)."""

    def send_messages(self, messages):
        if len(mail.outbox) == 2:
            raise WorkerKilled
        return super().send_messages(messages)


def test_a_worker_killed_mid_batch_leaves_every_sent_reminder_recorded(settings, django_capture_on_commit_callbacks):
    """The issue's case: marks were written after the whole batch, so a kill left sent
    reminders recorded as being sent. Now each is marked right after its own send."""
    enrolments = starting_soon(people=6)
    settings.EMAIL_BACKEND = f"{__name__}.DyingBackend"
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(rules=[RULE])
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert len(sent_to) == 2
    recorded = Reminder.objects.filter(status=ReminderStatus.SENT)
    assert sorted(recorded.values_list("person__email", flat=True)) == sent_to
    assert Reminder.objects.filter(status=ReminderStatus.CLAIMED).count() == len(enrolments) - 2


def test_a_coordinator_releases_a_stale_claim_in_the_admin_and_the_next_run_sends_it_once(sweep, client):
    """A coordinator who checked it did not arrive releases the stuck row; reminders being
    sent now, or already sent, are not touched."""

    [stuck], [recent] = starting_soon(), starting_soon()
    now = timezone.now()
    rows = {stuck.pk: left_claimed(stuck, now - datetime.timedelta(hours=2)), recent.pk: left_claimed(recent, now)}
    coordinator = staff_with_totp(roles.COORDINATOR)
    client.force_login(coordinator)
    changelist = reverse("admin:reminders_reminder_changelist")
    response = client.post(
        changelist,
        {"action": "send_again", ACTION_CHECKBOX_NAME: [row.pk for row in rows.values()]},
        follow=True,
    )
    assert "1 reminder will be sent on the next run. 1 other left as they are." in response.text
    released, still_claimed = (Reminder.objects.get(pk=rows[e.pk].pk) for e in (stuck, recent))
    assert (released.status, still_claimed.status) == (ReminderStatus.FAILED, ReminderStatus.CLAIMED)
    [entry] = entries_for(stuck.trainee).filter(action="reminders.reminder.released")
    assert entry.actor == coordinator and entry.data["kind"] == RULE.kind

    assert sweep()["sent"] == 1
    assert [message.to for message in mail.outbox] == [[stuck.trainee.email]]
    response = client.post(changelist, {"action": "send_again", ACTION_CHECKBOX_NAME: [released.pk]}, follow=True)
    assert "Only a reminder left being sent for over an hour can be sent again" in response.text
    assert Reminder.objects.get(pk=released.pk).status == ReminderStatus.SENT
    assert sweep()["sent"] == 0 and len(mail.outbox) == 1


def test_releasing_needs_the_right(client):

    [stuck] = starting_soon()
    row = left_claimed(stuck, timezone.now() - datetime.timedelta(hours=2))
    Group.objects.get(name=roles.COORDINATOR).permissions.remove(Permission.objects.get(codename="release_reminder"))
    client.force_login(staff_with_totp(roles.COORDINATOR))
    changelist = reverse("admin:reminders_reminder_changelist")
    assert "send_again" not in client.get(changelist).text
    client.post(changelist, {"action": "send_again", ACTION_CHECKBOX_NAME: [row.pk]})
    assert Reminder.objects.get(pk=row.pk).status == ReminderStatus.CLAIMED


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


def test_a_pause_with_an_end_date_holds_reminders_back_through_that_day_only(sweep):
    coordinator = UserFactory(role=roles.COORDINATOR)
    [enrolment] = starting_soon()
    today = timezone.localdate()
    with pytest.raises(services.ReminderError, match="ends today or later"):
        services.pause_reminders(enrolment.trainee, by=coordinator, reason="Leave", until=today - ONE_DAY)
    assert not ReminderPause.objects.exists()
    services.pause_reminders(enrolment.trainee, by=coordinator, reason="On leave", until=today)
    assert sweep(today=today)["held back"] == 1
    assert mail.outbox == []
    assert sweep(today=today + ONE_DAY)["sent"] == 1
    entry = entries_for(enrolment.trainee).get(action="reminders.person.paused")
    assert entry.data == {"reason": "On leave", "until": today.isoformat()}


def test_a_pause_that_has_ended_is_replaced_by_a_new_one():
    coordinator = UserFactory(role=roles.COORDINATOR)
    person = UserFactory()
    old = services.pause_reminders(person, by=coordinator, reason="Leave", until=timezone.localdate())
    ReminderPause.objects.filter(pk=old.pk).update(until=timezone.localdate() - ONE_DAY)
    new = services.pause_reminders(person, by=coordinator, reason="Again on leave")
    assert list(ReminderPause.objects.values_list("pk", "until")) == [(new.pk, None)]


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
    # retry update and release; after commit the claimed rows; the count of stale claims; and
    # one update per reminder, marking it right after its send.
    with django_assert_num_queries(11 + people), django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(rules=[RULE], batch_size=100)
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == people
    assert len(mail.outbox) == people


def test_a_sweep_reads_in_batches(django_assert_num_queries, django_capture_on_commit_callbacks):
    starting_soon(people=25)
    # Three batches of 10, 10 and 5, each reading as one batch above; the stale claims counted
    # once; one mark per reminder.
    with django_assert_num_queries(3 * 10 + 1 + 25), django_capture_on_commit_callbacks(execute=True):
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
