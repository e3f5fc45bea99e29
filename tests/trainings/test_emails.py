"""Each e-mail goes out as a subject, a text body and an HTML alternative."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from trainings import services

from .factories import EnrolmentFactory, make_run

pytestmark = pytest.mark.django_db


def sent_by(action, django_capture_on_commit_callbacks, *, to=None, count=1):
    """The one message `action` sends (or, when it sends `count`, the one to `to`)."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action()
    assert len(mail.outbox) == count
    if to is None:
        return mail.outbox[0]
    return next(message for message in mail.outbox if message.to == [to])


@pytest.fixture
def run():
    return make_run(label="Spring & summer, online", capacity=1, course__title="Rock 'n' roll DIT")


def test_every_training_email_has_text_and_html(run, coordinator, django_capture_on_commit_callbacks):
    holder = EnrolmentFactory(run=run, trainee__full_name="Siobhán O'Brien")
    waiting = EnrolmentFactory(run=run, trainee__full_name="Kit Marlowe")

    messages = {
        "accepted": sent_by(
            lambda: services.accept_enrolment(holder, by=coordinator), django_capture_on_commit_callbacks
        ),
        "waitlisted": sent_by(
            lambda: services.waitlist_enrolment(waiting, by=coordinator), django_capture_on_commit_callbacks
        ),
        "offered": sent_by(
            lambda: services.withdraw_enrolment(holder, by=holder.trainee),
            django_capture_on_commit_callbacks,
            to=waiting.trainee.email,
            count=2,  # the withdrawal's confirmation, and the offer to the next in line
        ),
        "expired": sent_by(
            lambda: services.expire_overdue_offers(now=timezone.now() + datetime.timedelta(days=8)),
            django_capture_on_commit_callbacks,
        ),
    }
    fresh = make_run(label="Autumn", course=run.course)
    other = EnrolmentFactory(run=fresh, trainee__full_name="Anna <b>Bold</b>")
    messages["rejected"] = sent_by(
        lambda: services.reject_enrolment(other, by=coordinator, reason="Needs <two> years' work & more."),
        django_capture_on_commit_callbacks,
    )
    messages["received"] = sent_by(
        lambda: services.apply_for_run(fresh, trainee=holder.trainee, answers=[]),
        django_capture_on_commit_callbacks,
    )

    subjects = {name: message.subject for name, message in messages.items()}
    assert subjects == {
        "accepted": "You have a place: Rock 'n' roll DIT, Spring & summer, online",
        "waitlisted": "On the waiting list: Rock 'n' roll DIT, Spring & summer, online",
        "offered": "A place is offered to you: Rock 'n' roll DIT, Spring & summer, online",
        "expired": "The offered place has expired: Rock 'n' roll DIT, Spring & summer, online",
        "rejected": "Your application for Rock 'n' roll DIT, Autumn",
        "received": "Application received: Rock 'n' roll DIT, Autumn",
    }
    for message in messages.values():
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert html.startswith("<!DOCTYPE html>")
        assert "&lt;" not in message.body and "&#x27;" not in message.body and "&amp;" not in message.body
        assert "/trainings/mine/" in message.body and "/trainings/mine/" in html
    assert messages["accepted"].body.startswith("Dear Siobhán O'Brien,")
    assert "Dear Siobhán O&#x27;Brien," in messages["accepted"].alternatives[0][0]
    assert "at number 1" in messages["waitlisted"].body
    assert "Needs <two> years' work & more." in messages["rejected"].body
    assert "Needs &lt;two&gt; years&#x27; work &amp; more." in messages["rejected"].alternatives[0][0]
    assert "Anna &lt;b&gt;Bold&lt;/b&gt;" in messages["rejected"].alternatives[0][0]
    assert "Please accept or decline it by" in messages["offered"].body
    assert "passed to the next person" in messages["expired"].body
