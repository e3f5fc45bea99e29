"""Opening, closing and cancelling a run: one service, called from the admin's actions."""

import pytest
from django.core import mail

from dit_portal.audit import entries_for
from tests.factories import staff_with_totp
from trainings import services
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import CourseRun
from trainings.services import TrainingError

from .factories import CourseRunFactory, EnrolmentFactory, in_days, make_run

pytestmark = pytest.mark.django_db


def test_a_draft_run_opens_and_the_change_is_audited(coordinator):
    run = make_run(status=RunStatus.DRAFT)
    services.change_run_status(run, RunStatus.OPEN, by=coordinator)
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN
    entry = entries_for(run).get(action="trainings.run.status_changed")
    assert entry.actor == coordinator
    assert entry.data["from"] == "draft" and entry.data["to"] == "open"


def test_a_run_without_days_or_past_its_deadline_cannot_open(coordinator):
    no_days = CourseRunFactory(status=RunStatus.DRAFT)
    with pytest.raises(TrainingError, match="add the run's days"):
        services.change_run_status(no_days, RunStatus.OPEN, by=coordinator)
    late = make_run(status=RunStatus.CLOSED, application_deadline=in_days(-1))
    with pytest.raises(TrainingError, match="deadline has passed"):
        services.change_run_status(late, RunStatus.OPEN, by=coordinator)
    assert CourseRun.objects.get(pk=late.pk).status == RunStatus.CLOSED


def test_reopening_a_run_whose_places_are_taken_makes_it_full(coordinator):
    run = make_run(status=RunStatus.CLOSED, capacity=1)
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    services.change_run_status(run, RunStatus.OPEN, by=coordinator)
    run.refresh_from_db()
    assert run.status == RunStatus.FULL


def test_full_is_not_a_status_coordinators_set_by_hand(coordinator):
    run = make_run()
    with pytest.raises(TrainingError, match="cannot be changed"):
        services.change_run_status(run, RunStatus.FULL, by=coordinator)


def test_cancelling_needs_a_reason_and_changes_nothing_without_one(coordinator):
    run = make_run()
    enrolment = EnrolmentFactory(run=run)
    with pytest.raises(TrainingError, match="give a reason"):
        services.change_run_status(run, RunStatus.CANCELLED, by=coordinator, reason="  ")
    run.refresh_from_db()
    enrolment.refresh_from_db()
    assert run.status == RunStatus.OPEN and enrolment.status == EnrolmentStatus.APPLIED


def test_cancelling_ends_every_application_in_play_and_mails_the_reason(
    coordinator, django_capture_on_commit_callbacks
):
    run = make_run(capacity=2)
    accepted = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    applied = EnrolmentFactory(run=run)
    waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
    withdrawn = EnrolmentFactory(run=run, status=EnrolmentStatus.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_run_status(run, RunStatus.CANCELLED, by=coordinator, reason="The trainer is unwell.")

    for enrolment in (accepted, applied, waiting):
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.RUN_CANCELLED
        assert enrolment.ended_at is not None
        assert entries_for(enrolment).get(action="trainings.enrolment.run_cancelled").data["reason"] == (
            "The trainer is unwell."
        )
    withdrawn.refresh_from_db()
    assert withdrawn.status == EnrolmentStatus.WITHDRAWN
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        e.trainee.email for e in (accepted, applied, waiting)
    )
    message = mail.outbox[0]
    assert message.subject.startswith("Cancelled: ")
    assert "The trainer is unwell." in message.body
    assert "The trainer is unwell." in message.alternatives[0][0]


def test_a_cancelled_run_stays_cancelled(coordinator):
    run = make_run(status=RunStatus.CANCELLED)
    with pytest.raises(TrainingError, match="cannot be changed"):
        services.change_run_status(run, RunStatus.OPEN, by=coordinator)


def test_admin_actions_open_close_and_cancel_through_the_service(client, django_capture_on_commit_callbacks):
    coordinator = staff_with_totp()
    client.force_login(coordinator)
    run = make_run(status=RunStatus.DRAFT)
    changelist = "/admin/trainings/courserun/"

    response = client.post(changelist, {"action": "open_runs", "_selected_action": [run.pk]}, follow=True)
    assert f"{run}: open for applications." in response.text
    client.post(changelist, {"action": "close_runs", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED

    enrolment = EnrolmentFactory(run=run)
    response = client.post(changelist, {"action": "cancel_runs", "_selected_action": [run.pk]})
    assert "Reason (every applicant is e-mailed it)" in response.text
    response = client.post(changelist, {"action": "cancel_runs", "_selected_action": [run.pk], "apply": "1"})
    assert "This field is required." in response.text
    run.refresh_from_db()
    assert run.status == RunStatus.CLOSED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            changelist,
            {"action": "cancel_runs", "_selected_action": [run.pk], "apply": "1", "reason": "Venue unavailable."},
        )
    run.refresh_from_db()
    enrolment.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert enrolment.status == EnrolmentStatus.RUN_CANCELLED
    assert len(mail.outbox) == 1


def test_the_run_form_leaves_status_capacity_and_days_to_the_services(client):
    client.force_login(staff_with_totp())
    run = make_run(capacity=3)
    EnrolmentFactory.create_batch(2, run=run, status=EnrolmentStatus.ACCEPTED)
    url = f"/admin/trainings/courserun/{run.pk}/change/"
    form = client.get(url).text
    for rule_field in ('name="status"', 'name="capacity"', 'name="days-0-date"'):
        assert rule_field not in form
    assert "Change days" in form and "Change places" in form
    data = {
        "course": run.course_id,
        "label": "Renamed cohort",
        "status": RunStatus.CANCELLED,
        "mode": run.mode,
        "venue": "",
        "capacity": 1,
        "application_deadline": run.application_deadline.isoformat(),
        "offer_days": 7,
        "price": "",
        "notes": "",
        "days-TOTAL_FORMS": 0,
        "days-INITIAL_FORMS": 0,
        "trainers-TOTAL_FORMS": 0,
        "trainers-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.label, run.capacity, run.status, run.days.count()) == ("Renamed cohort", 3, RunStatus.OPEN, 2)


def test_the_trainee_sees_the_cancellation_on_their_trainings_page(client, coordinator):
    run = make_run()
    enrolment = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    services.change_run_status(run, RunStatus.CANCELLED, by=coordinator, reason="Too few applicants.")
    client.force_login(enrolment.trainee)
    html = client.get("/trainings/mine/").text
    assert "Training cancelled" in html
    assert "This training was cancelled" in html
