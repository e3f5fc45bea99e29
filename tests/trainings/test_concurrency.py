"""Capacity holds under concurrent decisions: the run row is locked while places are counted."""

import pytest

from members import roles
from tests.concurrency import at_once
from tests.factories import UserFactory
from trainings import selectors, services
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import ApplicationDigest, Enrolment

from .factories import EnrolmentFactory, make_run

ROUNDS = 5


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_accepting_the_last_place_at_the_same_moment():
    first_coordinator = UserFactory(role=roles.COORDINATOR)
    second_coordinator = UserFactory(role=roles.COORDINATOR)
    for _ in range(ROUNDS):
        run = make_run(capacity=3)
        for _ in range(2):
            EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
        one, other = EnrolmentFactory(run=run), EnrolmentFactory(run=run)

        outcomes = at_once(
            lambda one=one: services.accept_enrolment(one, by=first_coordinator),
            lambda other=other: services.accept_enrolment(other, by=second_coordinator),
            refusal=services.TrainingError,
        )

        assert outcomes.count("done") == 1, outcomes
        refused = next(outcome for outcome in outcomes if outcome != "done")
        assert "is full (3 of 3 places taken)" in refused
        assert selectors.places_taken(run) == 3
        assert Enrolment.objects.filter(run=run, status=EnrolmentStatus.ACCEPTED).count() == 3
        run.refresh_from_db()
        assert run.status == RunStatus.FULL


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_waitlisting_at_the_same_moment():
    """Each waitlisting reads the last position and puts the application behind it: without
    the run's lock both read the same last position and the list loses its order."""
    first_coordinator = UserFactory(role=roles.COORDINATOR)
    second_coordinator = UserFactory(role=roles.COORDINATOR)
    for _ in range(ROUNDS):
        run = make_run(capacity=1, status=RunStatus.FULL)
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
        EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=1)
        one, other = EnrolmentFactory(run=run), EnrolmentFactory(run=run)

        outcomes = at_once(
            lambda one=one: services.waitlist_enrolment(one, by=first_coordinator),
            lambda other=other: services.waitlist_enrolment(other, by=second_coordinator),
            refusal=services.TrainingError,
        )

        assert outcomes == ["done", "done"], outcomes
        positions = list(selectors.waiting_list(run).values_list("waitlist_position", flat=True))
        assert positions == [1, 2, 3]


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_joining_a_full_runs_waiting_list_at_once_get_their_own_places():
    """Applying to a full run takes the next waiting-list position under the run's lock, so
    two applicants at the same moment are numbered 1 and 2, never both 1."""
    for _ in range(ROUNDS):
        run = make_run(capacity=1, status=RunStatus.FULL)
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
        first, second = UserFactory(), UserFactory()

        outcomes = at_once(
            lambda run=run, first=first: services.apply_for_run(run, trainee=first, answers=[]),
            lambda run=run, second=second: services.apply_for_run(run, trainee=second, answers=[]),
            refusal=services.TrainingError,
        )

        assert outcomes == ["done", "done"], outcomes
        positions = sorted(
            Enrolment.objects.filter(run=run, status=EnrolmentStatus.WAITLISTED).values_list(
                "waitlist_position", flat=True
            )
        )
        assert positions == [1, 2]


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_days_digest_at_once_send_it_once():
    """The day is claimed by a unique row: a second worker (or beat run) sends nothing."""
    UserFactory(role=roles.COORDINATOR)
    EnrolmentFactory()
    listed = []
    outcomes = at_once(
        lambda: listed.append(services.send_application_digest()),
        lambda: listed.append(services.send_application_digest()),
        refusal=services.TrainingError,
    )
    assert outcomes == ["done", "done"], outcomes
    assert sorted(listed) == [0, 1]
    assert ApplicationDigest.objects.count() == 1
