"""People choose their optional reminders; coordinators read what was sent and pause people;
the job's schedule is in beat's database."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from dit_portal.audit import entries_for
from members import roles
from reminders import services
from reminders.models import Reminder, ReminderOptOut, ReminderPause
from reminders.rules import TrainingStartsSoon
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

pytestmark = pytest.mark.django_db
KIND = TrainingStartsSoon.kind


def test_people_turn_an_optional_reminder_off_and_on_in_their_profile(client):
    person = UserFactory()
    client.force_login(person)
    assert reverse("reminders:preferences") in client.get(reverse("members:profile")).text
    page = client.get(reverse("reminders:preferences"))
    assert TrainingStartsSoon.label in page.text
    assert page.context["form"].initial == {"wanted": [KIND]}

    response = client.post(reverse("reminders:preferences"), {}, follow=True)
    assert "Your reminder choices are saved." in response.text
    assert list(ReminderOptOut.objects.filter(person=person).values_list("kind", flat=True)) == [KIND]
    assert entries_for(person).first().data == {"turned_off": [KIND], "turned_on": []}

    client.post(reverse("reminders:preferences"), {"wanted": [KIND]})
    assert not ReminderOptOut.objects.filter(person=person).exists()


def test_an_unknown_choice_is_refused_with_a_message(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("reminders:preferences"), {"wanted": ["everything"]})
    assert "Select a valid choice" in response.text
    assert not ReminderOptOut.objects.exists()


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR)
    client.force_login(user)
    return user


def test_coordinators_read_sent_reminders_but_cannot_change_them(client, staff, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(run=make_run(starts_in=3), status=EnrolmentStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(rules=[TrainingStartsSoon()])
    reminder = Reminder.objects.get()
    listing = client.get(reverse("admin:reminders_reminder_changelist"))
    assert enrolment.trainee.full_name in listing.text
    page = client.get(reverse("admin:reminders_reminder_change", args=[reminder.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.text
    assert client.post(reverse("admin:reminders_reminder_change", args=[reminder.pk]), {}).status_code == 403
    assert client.get(reverse("admin:reminders_reminder_delete", args=[reminder.pk])).status_code == 403


def test_coordinators_pause_and_resume_a_person_in_the_admin(client, staff):
    person = UserFactory(full_name="Paula Paused")
    response = client.post(
        reverse("admin:reminders_reminderpause_add"), {"person": person.pk, "reason": "On leave"}, follow=True
    )
    assert response.status_code == 200
    pause = ReminderPause.objects.get()
    assert (pause.person, pause.reason, pause.paused_by) == (person, "On leave", staff)
    again = client.post(reverse("admin:reminders_reminderpause_add"), {"person": person.pk, "reason": "Twice"})
    assert "already exists" in again.text
    client.post(reverse("admin:reminders_reminderpause_delete", args=[pause.pk]), {"post": "yes"})
    assert not ReminderPause.objects.exists()
    assert [entry.action for entry in entries_for(person)] == ["reminders.person.resumed", "reminders.person.paused"]


def test_the_daily_job_is_in_beats_database_schedule():
    task = PeriodicTask.objects.get(task="reminders.tasks.send_due_reminders")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "0", "Europe/London")


def test_the_preferences_page_lists_only_the_reminders_about_the_person(client):
    client.force_login(UserFactory())
    page = client.get(reverse("reminders:preferences"))
    assert "Your role-play retake is due within two weeks" in page.text
    assert "Coordinators:" not in page.text
    assert "Providers:" not in page.text
