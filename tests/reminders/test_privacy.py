"""A person's reminders in their data copy, and what erasure blanks."""

import uuid

import pytest
from django.utils import timezone

from members import roles
from members.privacy import erase_person
from reminders import services
from reminders.models import Reminder, ReminderPause
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_erasure_blanks_what_was_written_about_the_person_and_keeps_the_record():
    coordinator = UserFactory(role=roles.COORDINATOR)
    person = UserFactory(email="erase.me@example.org")
    services.pause_reminders(person, by=coordinator, reason="Asked by erase.me@example.org on the phone")
    Reminder.objects.create(
        person=person,
        kind="training_starts_soon",
        period_key="run-1",
        subject="5-Day DIT Training starts on Monday 1 June",
        status="failed",
        claim_token=uuid.uuid4(),
        claimed_at=timezone.now(),
        last_error="550 mailbox unavailable: erase.me@example.org",
    )
    erase_person(person, by=coordinator, reason="The person's request")
    reminder = Reminder.objects.get()
    assert (reminder.person_id, reminder.last_error) == (person.pk, "")
    assert ReminderPause.objects.get().reason == ""
