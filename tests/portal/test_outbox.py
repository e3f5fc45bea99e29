"""The e-mail outbox: each e-mail is a row written with the decision that causes it, sent
once by a worker, retried with backoff, and shown to coordinators when it fails."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal import degraded, outbox
from dit_portal.audit import entries_for
from dit_portal.celery import app as celery_app
from dit_portal.models import OutgoingEmail, OutgoingEmailStatus
from dit_portal.tasks import send_pending_emails
from tests.brokers import celery_broker
from tests.concurrency import at_once
from tests.factories import UserFactory, staff_with_totp
from tests.own_redis import own_redis
from tests.reminders import backends
from tests.trainings.factories import CourseFactory, RequirementFactory, make_run, pdf_upload
from trainings.enums import EvidenceRule
from trainings.models import Enrolment

pytestmark = pytest.mark.django_db


def queue(subject="Your place", to="ana@example.org"):
    return outbox.queue_email(subject=subject, text="Dear Ana", html="<p>Dear Ana</p>", to=to)


@pytest.fixture
def refusing_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.RefusingBackend"
    backends.REFUSED.clear()
    yield backends.REFUSED
    backends.REFUSED.clear()


def test_the_email_is_written_with_the_decision_and_sent_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the decision failed")
    assert not OutgoingEmail.objects.exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        email = queue()
    assert email.status == OutgoingEmailStatus.PENDING and mail.outbox == []
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == OutgoingEmailStatus.SENT and email.attempts == 1 and email.sent_at is not None
    [message] = mail.outbox
    assert message.subject == "Your place" and message.to == ["ana@example.org"]
    assert message.alternatives == [("<p>Dear Ana</p>", "text/html")]


def test_a_refused_email_is_retried_later_then_failed(refusing_mail_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    refusing_mail_server.add("ana@example.org")
    email = queue()
    start = timezone.now()
    assert outbox.send_email(email.pk, now=start) == OutgoingEmailStatus.PENDING
    email.refresh_from_db()
    assert "550 mailbox unavailable" in email.last_error
    first_delay = email.next_attempt_at - start
    assert datetime.timedelta(seconds=50) < first_delay < datetime.timedelta(seconds=70)
    # Not due yet: the sweep leaves it.
    assert outbox.send_pending_emails(now=start) == {}
    assert outbox.send_email(email.pk, now=email.next_attempt_at) == OutgoingEmailStatus.PENDING
    email.refresh_from_db()
    assert email.next_attempt_at - timezone.now() > datetime.timedelta(seconds=110)  # 2 minutes
    assert outbox.send_pending_emails(now=email.next_attempt_at) == {OutgoingEmailStatus.FAILED: 1}
    email.refresh_from_db()
    assert email.status == OutgoingEmailStatus.FAILED and email.attempts == 3
    assert mail.outbox == []


def test_a_coordinator_sends_a_failed_email_again_once(refusing_mail_server, settings, client):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    refusing_mail_server.add("ana@example.org")
    failed, sent = queue(), queue(subject="Other", to="bo@example.org")
    outbox.send_pending_emails()
    failed.refresh_from_db()
    assert failed.status == OutgoingEmailStatus.FAILED
    refusing_mail_server.clear()
    coordinator = staff_with_totp()
    client.force_login(coordinator)
    changelist = reverse("admin:portal_outgoingemail_changelist")
    assert "Failed" in client.get(changelist + "?status=failed").content.decode()
    response = client.post(
        changelist, {"action": "send_again", "_selected_action": [failed.pk, sent.pk], "index": 0}, follow=True
    )
    page = response.content.decode()
    assert "1 e-mail queued to be sent again. 1 not failed, left as it is." in page
    failed.refresh_from_db()
    assert failed.status == OutgoingEmailStatus.PENDING and failed.attempts == 0
    assert [entry.action for entry in entries_for(failed)] == ["portal.outgoingemail.resent"]
    assert outbox.send_pending_emails() == {OutgoingEmailStatus.SENT: 1}
    assert [m.to for m in mail.outbox] == [["bo@example.org"], ["ana@example.org"]]
    # Sending again what is not failed is refused and changes nothing.
    response = client.post(
        changelist, {"action": "send_again", "_selected_action": [failed.pk], "index": 0}, follow=True
    )
    assert "Only failed e-mails can be sent again" in response.content.decode()
    assert len(entries_for(failed)) == 1


def test_the_admin_index_tells_coordinators_about_failed_emails(client, settings):
    email = queue()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmailStatus.FAILED)
    client.force_login(staff_with_totp())
    page = client.get(reverse("admin:index")).content.decode()
    assert "1 e-mail could not be sent" in page
    assert reverse("admin:portal_outgoingemail_changelist") + "?status__exact=failed" in page


def test_a_row_left_being_sent_is_reported_failed_and_never_sent_twice():
    email = queue()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmailStatus.SENDING, claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    recent = queue(subject="Being sent now")
    OutgoingEmail.objects.filter(pk=recent.pk).update(status=OutgoingEmailStatus.SENDING, claimed_at=timezone.now())
    assert outbox.send_pending_emails() == {"stopped mid-send": 1}
    email.refresh_from_db()
    assert email.status == OutgoingEmailStatus.FAILED and "may or may not have gone out" in email.last_error
    assert OutgoingEmail.objects.get(pk=recent.pk).status == OutgoingEmailStatus.SENDING
    assert mail.outbox == []


def test_sent_emails_are_forgotten_after_the_keeping_period(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 30
    old, recent = queue(), queue()
    outbox.send_pending_emails()
    OutgoingEmail.objects.filter(pk=old.pk).update(sent_at=timezone.now() - datetime.timedelta(days=31))
    assert outbox.send_pending_emails() == {"forgotten": 1}
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.parametrize("rows", [1, 30])
def test_the_outbox_list_costs_the_same_queries_for_few_and_many(rows, client, django_assert_num_queries):
    for _ in range(rows):
        queue()
    client.force_login(staff_with_totp())
    url = reverse("admin:portal_outgoingemail_changelist")
    client.get(url)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_email_once():
    emails = [queue(to=f"person{number}@example.org") for number in range(20)]
    outcomes = at_once(outbox.send_pending_emails, outbox.send_pending_emails)
    assert outcomes == ["done", "done"], outcomes
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to[0] for e in emails)
    assert OutgoingEmail.objects.filter(status=OutgoingEmailStatus.SENT).count() == 20


def _apply(client, trainee):
    course = CourseFactory(title="Evidence course")
    requirement = RequirementFactory(course=course, question="Trained?", evidence=EvidenceRule.REQUIRED)
    run = make_run(course=course)
    client.force_login(trainee)
    return client.post(
        reverse("trainings:apply", args=[run.pk]),
        {f"answer_{requirement.pk}": "yes", f"evidence_{requirement.pk}": pdf_upload()},
    )


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_an_application_is_saved_and_its_email_arrives_once_the_broker_is_back(
    client, tmp_path, caplog
):
    """The issue's case: the broker is down when a trainee applies. The request succeeds, the
    e-mail waits in the outbox, and once the broker is back beat's sweep, run by a real worker,
    sends it; a second sweep sends nothing more."""
    assert celery_app.conf.task_always_eager is False
    trainee = UserFactory(full_name="Tamsin Trainee")
    degraded.forget_logged()
    with own_redis(tmp_path, started=False) as broker, celery_broker(broker.url):
        began = time.monotonic()
        response = _apply(client, trainee)
        assert response.status_code == 302, response.status_code
        assert time.monotonic() - began < 10
        assert Enrolment.objects.filter(trainee=trainee).exists()
        [email] = OutgoingEmail.objects.all()
        assert email.status == OutgoingEmailStatus.PENDING and email.to == [trainee.email]
        assert "could not be handed to a worker" in caplog.text
        assert mail.outbox == []

        broker.start()
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
            send_pending_emails.delay()
            send_pending_emails.delay()
            deadline = time.monotonic() + 30
            while not mail.outbox and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # the second sweep has run by now, or is running
    assert [message.to for message in mail.outbox] == [[trainee.email]]
    assert OutgoingEmail.objects.get().status == OutgoingEmailStatus.SENT
