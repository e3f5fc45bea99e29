"""A run's places and days change only through the services, from the admin too: a rise
in places goes to the waiting list in order, a cut below the places taken is refused,
new dates are e-mailed to everyone holding a place, recorded days are kept."""

import datetime

import pytest
from django.core import mail
from django.db.models import ProtectedError
from django.urls import reverse

from dit_portal.audit import entries_for
from members import roles
from tests.factories import staff_with_totp
from trainings import selectors, services
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import Attendance, RunDay, TrainerDay
from trainings.services import DayInput, TrainingError

from .factories import EnrolmentFactory, RunTrainerFactory, in_days, make_run

pytestmark = pytest.mark.django_db


def full_run_with_waiting_list(capacity=2, waiting=3):
    run = make_run(capacity=capacity, status=RunStatus.FULL)
    EnrolmentFactory.create_batch(capacity, run=run, status=EnrolmentStatus.ACCEPTED)
    waiting_list = [
        EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=position)
        for position in range(1, waiting + 1)
    ]
    return run, waiting_list


def statuses(*enrolments):
    for enrolment in enrolments:
        enrolment.refresh_from_db()
    return [enrolment.status for enrolment in enrolments]


# Places --------------------------------------------------------------------------------


def test_more_places_go_to_the_waiting_list_in_order(coordinator, django_capture_on_commit_callbacks):
    run, (first, second, third) = full_run_with_waiting_list()
    with django_capture_on_commit_callbacks(execute=True):
        run, offered = services.change_capacity(run, 4, by=coordinator)
    assert offered == [first, second]
    assert statuses(first, second, third) == [
        EnrolmentStatus.OFFERED,
        EnrolmentStatus.OFFERED,
        EnrolmentStatus.WAITLISTED,
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.trainee.email, second.trainee.email])
    run.refresh_from_db()
    assert run.status == RunStatus.FULL  # every place is taken or offered; one still waits
    change = entries_for(run).get(action="trainings.run.capacity_changed")
    assert change.data == {"from": 2, "to": 4} and change.actor == coordinator


def test_a_full_run_with_places_left_over_opens_again(coordinator):
    run, waiting = full_run_with_waiting_list(capacity=2, waiting=1)
    run, offered = services.change_capacity(run, 5, by=coordinator)
    assert offered == waiting
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN
    assert selectors.places_taken(run) == 3


def test_fewer_places_than_taken_is_refused_and_changes_nothing(coordinator):
    run = make_run(capacity=4)
    EnrolmentFactory.create_batch(3, run=run, status=EnrolmentStatus.ACCEPTED)
    with pytest.raises(TrainingError, match="3 places are taken .* cannot have fewer than 3"):
        services.change_capacity(run, 2, by=coordinator)
    run.refresh_from_db()
    assert run.capacity == 4 and not entries_for(run).exists()


def test_cutting_to_the_places_taken_fills_the_run(coordinator):
    run = make_run(capacity=4)
    EnrolmentFactory.create_batch(3, run=run, status=EnrolmentStatus.ACCEPTED)
    services.change_capacity(run, 3, by=coordinator)
    run.refresh_from_db()
    assert (run.capacity, run.status) == (3, RunStatus.FULL)


# Days ----------------------------------------------------------------------------------


def test_moving_a_day_emails_everyone_holding_a_place(coordinator, django_capture_on_commit_callbacks):
    run = make_run(day_count=2, starts_in=20)
    accepted = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    offered = EnrolmentFactory(run=run, status=EnrolmentStatus.OFFERED)
    EnrolmentFactory(run=run)  # applied: holds no place
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    first, second = run.days.all()
    new_date = in_days(30)
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.change_run_days(
            run,
            days=[DayInput(day=second, date=new_date, starts_at=datetime.time(9, 30), ends_at=datetime.time(16))],
            by=coordinator,
        )
    assert changed == 1
    assert list(run.days.values_list("date", flat=True)) == [first.date, new_date]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([accepted.trainee.email, offered.trainee.email])
    message = mail.outbox[0]
    assert message.subject == f"New dates: {run.course.title}, {run.label}"
    assert f"{new_date:%A} {new_date.day} {new_date:%B %Y}, 09:30–16:00" in message.body
    assert "<li>" in message.alternatives[0][0]
    entry = entries_for(run).get(action="trainings.run.days_changed")
    assert entry.data["from"][1]["date"] == second.date.isoformat()
    assert entry.data["to"][1] == {"date": new_date.isoformat(), "starts_at": "09:30", "ends_at": "16:00"}


def test_adding_and_removing_days(coordinator):
    run = make_run(day_count=2, starts_in=20)
    first, second = run.days.all()
    services.change_run_days(
        run,
        days=[DayInput(day=first, date=first.date, remove=True), DayInput(day=None, date=in_days(50))],
        by=coordinator,
    )
    assert list(run.days.values_list("date", flat=True)) == [second.date, in_days(50)]


def test_two_days_may_swap_dates(coordinator):
    run = make_run(day_count=2, starts_in=20)
    first, second = run.days.all()
    services.change_run_days(
        run,
        days=[DayInput(day=first, date=second.date), DayInput(day=second, date=first.date)],
        by=coordinator,
    )
    assert dict(run.days.values_list("pk", "date")) == {first.pk: second.date, second.pk: first.date}


def test_a_day_with_attendance_cannot_be_removed_or_moved(coordinator):
    run = make_run(dates=[in_days(-2), in_days(-1)])
    enrolment = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    first, second = run.days.all()
    Attendance.objects.create(enrolment=enrolment, day=first, present=True)
    with pytest.raises(TrainingError, match="has attendance or trainer days recorded, so it cannot be removed"):
        services.change_run_days(run, days=[DayInput(day=first, date=first.date, remove=True)], by=coordinator)
    with pytest.raises(TrainingError, match="cannot be moved"):
        services.change_run_days(run, days=[DayInput(day=first, date=in_days(-3))], by=coordinator)
    assert run.days.count() == 2 and Attendance.objects.filter(day=first).exists()
    # Its times may still be corrected.
    services.change_run_days(
        run, days=[DayInput(day=first, date=first.date, starts_at=datetime.time(10))], by=coordinator
    )
    first.refresh_from_db()
    assert first.starts_at == datetime.time(10)
    # The database keeps the rule too: recorded days are protected, not cascaded away.
    with pytest.raises(ProtectedError):
        first.delete()


def test_a_day_with_trainer_days_cannot_be_removed(coordinator):
    run = make_run(dates=[in_days(-2), in_days(-1)])
    day = run.days.first()
    TrainerDay.objects.create(run_trainer=RunTrainerFactory(run=run), day=day, role=TrainerRole.LEAD)
    with pytest.raises(TrainingError, match="cannot be removed"):
        services.change_run_days(run, days=[DayInput(day=day, date=day.date, remove=True)], by=coordinator)


def test_two_days_on_one_date_or_no_day_on_an_open_run_are_refused(coordinator):
    run = make_run(day_count=2, starts_in=20)
    first, second = run.days.all()
    with pytest.raises(TrainingError, match="two days on"):
        services.change_run_days(run, days=[DayInput(day=None, date=first.date)], by=coordinator)
    with pytest.raises(TrainingError, match="needs at least one day"):
        services.change_run_days(
            run,
            days=[
                DayInput(day=first, date=first.date, remove=True),
                DayInput(day=second, date=second.date, remove=True),
            ],
            by=coordinator,
        )
    assert run.days.count() == 2


# The admin pages call the services ------------------------------------------------------


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR)
    client.force_login(user)
    return user


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_places_page_reopens_a_full_run(client, staff):
    run, waiting = full_run_with_waiting_list(capacity=2, waiting=1)
    url = reverse("admin:trainings_courserun_capacity", args=[run.pk])
    page = client.get(url).content.decode()
    assert "2 of 2 places are taken" in page and "1 applicant waits" in page

    response = client.post(url, {"capacity": 1})
    assert "2 places are taken (accepted or offered), so it cannot have fewer than 2." in response.content.decode()

    response = client.post(url, {"capacity": 4}, follow=True)
    assert messages_of(response) == [f"{run} now has 4 places. 1 offered to the waiting list in order."]
    run.refresh_from_db()
    assert (run.capacity, run.status) == (4, RunStatus.OPEN)
    assert statuses(*waiting) == [EnrolmentStatus.OFFERED]


def _days_form(run, rows):
    days = list(run.days.all())
    data = {"days-TOTAL_FORMS": len(rows), "days-INITIAL_FORMS": len(days), "days-MIN_NUM_FORMS": 0}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"days-{index}-{key}"] = value
    return data


def test_the_days_page_changes_days_and_says_why_not(client, staff):
    run = make_run(dates=[in_days(-1), in_days(5)])
    enrolment = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    past, future = run.days.all()
    Attendance.objects.create(enrolment=enrolment, day=past, present=True)
    url = reverse("admin:trainings_courserun_days", args=[run.pk])
    page = client.get(url).content.decode()
    assert "Attendance recorded" in page and 'name="days-0-date"' in page

    refused = _days_form(
        run,
        [
            {"day_id": past.pk, "date": past.date.isoformat(), "remove": "on"},
            {"day_id": future.pk, "date": future.date.isoformat()},
        ],
    )
    response = client.post(url, refused, follow=True)
    assert f"{past} has attendance or trainer days recorded, so it cannot be removed." in messages_of(response)[0]
    assert run.days.count() == 2

    moved = _days_form(
        run,
        [
            {"day_id": past.pk, "date": past.date.isoformat()},
            {"day_id": future.pk, "date": in_days(6).isoformat()},
            {"date": in_days(7).isoformat(), "starts_at": "09:00", "ends_at": "17:00"},
        ],
    )
    response = client.post(url, moved, follow=True)
    assert "2 days changed; everyone holding a place has been e-mailed the new dates." in messages_of(response)[0]
    assert list(run.days.values_list("date", flat=True)) == [past.date, in_days(6), in_days(7)]
    assert RunDay.objects.get(run=run, date=in_days(7)).starts_at == datetime.time(9)


def test_the_days_page_shows_field_errors(client, staff):
    run = make_run(day_count=1)
    day = run.days.get()
    url = reverse("admin:trainings_courserun_days", args=[run.pk])
    data = _days_form(run, [{"day_id": day.pk, "date": ""}, {"starts_at": "10:00", "ends_at": "09:00", "date": ""}])
    response = client.post(url, data)
    content = response.content.decode()
    assert "Give the day&#x27;s date, or tick Remove." in content
    assert "The day must end after it starts." in content
    assert run.days.get() == day


def test_waitlist_position_is_not_editable(client, staff):
    run, (first, second, _third) = full_run_with_waiting_list()
    url = reverse("admin:trainings_enrolment_change", args=[second.pk])
    assert 'name="waitlist_position"' not in client.get(url).content.decode()
    client.post(
        url,
        {
            "waitlist_position": 1,
            "staff_notes": "Asked to move up",
            "answers-TOTAL_FORMS": 0,
            "answers-INITIAL_FORMS": 0,
        },
    )
    second.refresh_from_db()
    assert (second.waitlist_position, second.staff_notes) == (2, "Asked to move up")
