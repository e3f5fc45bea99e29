"""Regional networks: joining with eligibility, confirming declarations, leaving, attendance
recorded by coordinators and read back as CPD."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from dit_portal.audit import entries_for
from members import roles, selectors, services
from members.enums import CredentialStatus, EligibilityRoute, MembershipStatus
from members.models import MeetingAttendance, Network, NetworkMembership
from tests.factories import UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

from .factories import MeetingFactory, MembershipFactory, NetworkFactory, practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory()


@pytest.fixture
def coordinator():
    return UserFactory(role=roles.COORDINATOR)


def completed_initial_training(person, *, run_by_centre=True):
    course = CourseFactory(leads_to_credential="practitioner")
    EnrolmentFactory(
        run=make_run(course=course, run_by_centre=run_by_centre), trainee=person, status=EnrolmentStatus.COMPLETED
    )


def test_the_north_west_network_is_seeded():
    network = Network.objects.get(slug="north-west")
    assert network.rhythm == "Every two months"
    assert "around 13" in network.core_members
    assert "initial week-long DIT training" in network.eligibility
    assert "Greater Manchester" in network.region
    assert network.contacts.count() == 3


def test_an_accredited_practitioner_joins_at_once_and_is_welcomed(network, django_capture_on_commit_callbacks):
    person = practitioner()
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.join_network(network, person)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.route == EligibilityRoute.CREDENTIAL
    assert membership.joined_at is not None
    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.subject == f"Welcome to the {network.name}"
    assert network.rhythm.lower() in message.body
    assert message.alternatives[0][1] == "text/html"
    assert [entry.action for entry in entries_for(membership)] == ["members.networkmembership.joined"]


def test_a_practitioner_in_training_is_eligible_as_seeing_training_cases(network):
    membership = services.join_network(network, practitioner(CredentialStatus.IN_PROGRESS))
    assert membership.status == MembershipStatus.ACTIVE


def test_completed_initial_training_makes_a_person_eligible(network):
    person = UserFactory()
    completed_initial_training(person)
    membership = services.join_network(network, person)
    assert (membership.status, membership.route) == (MembershipStatus.ACTIVE, EligibilityRoute.TRAINING)


def test_a_revoked_credential_does_not_make_a_person_eligible(network):
    person = practitioner(CredentialStatus.REVOKED)
    with pytest.raises(services.NetworkError, match="no record of your completed initial DIT training"):
        services.join_network(network, person)
    assert not NetworkMembership.objects.exists()


def test_without_a_record_or_a_declaration_nothing_changes(network):
    person = UserFactory()
    with pytest.raises(services.NetworkError, match="Tell the coordinators"):
        services.join_network(network, person, declaration="   ")
    assert not NetworkMembership.objects.exists()
    assert mail.outbox == []


def test_a_declaration_waits_for_a_coordinator_who_confirms_it(
    network, coordinator, django_capture_on_commit_callbacks
):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.join_network(network, person, declaration="Completed the 5-day training in Leeds, 2023.")
    assert (membership.status, membership.route) == (MembershipStatus.PENDING, EligibilityRoute.DECLARATION)
    received = mail.outbox[0]
    assert received.subject == f"Your request to join the {network.name}"
    assert "Completed the 5-day training in Leeds" in received.body
    assert "Completed the 5-day training in Leeds" in received.alternatives[0][0]

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_membership(membership, by=coordinator)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decided_by == coordinator
    assert mail.outbox[-1].subject == f"Welcome to the {network.name}"
    assert [entry.action for entry in entries_for(membership)] == [
        "members.networkmembership.confirmed",
        "members.networkmembership.requested",
    ]


def test_declining_needs_a_reason_and_tells_the_person(network, coordinator, django_capture_on_commit_callbacks):
    membership = services.join_network(network, UserFactory(), declaration="I think so.")
    with pytest.raises(services.NetworkError, match="reason"):
        services.decline_membership(membership, by=coordinator, reason=" ")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_membership(membership, by=coordinator, reason="The initial training is not finished yet.")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.DECLINED
    declined = mail.outbox[-1]
    assert declined.to == [membership.person.email]
    assert declined.subject == f"Your request to join the {network.name} was not confirmed"
    assert "The initial training is not finished yet." in declined.body
    assert "The initial training is not finished yet." in declined.alternatives[0][0]
    with pytest.raises(services.NetworkError, match="no request waiting"):
        services.confirm_membership(membership, by=coordinator)


def test_joining_twice_is_refused_and_leaving_then_rejoining_works(network):
    person = practitioner()
    membership = services.join_network(network, person)
    with pytest.raises(services.NetworkError, match="already a member"):
        services.join_network(network, person)

    services.leave_network(membership, by=person)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert membership.left_at is not None
    with pytest.raises(services.NetworkError, match="not a member"):
        services.leave_network(membership, by=person)

    again = services.join_network(network, person)
    assert again.pk == membership.pk
    assert again.status == MembershipStatus.ACTIVE
    assert again.left_at is None
    assert NetworkMembership.objects.count() == 1


def test_attendance_is_recorded_for_members_and_read_as_cpd(network, coordinator):
    member, other_member, outsider = practitioner(), practitioner(), UserFactory()
    for person in (member, other_member):
        MembershipFactory(network=network, person=person)
    last_year = timezone.now().replace(month=6, day=15) - datetime.timedelta(days=365)
    yearly = MeetingFactory(network=network, hours=Decimal("3.50"), counts_as_yearly_cpd_event=True)
    earlier = MeetingFactory(network=network, starts_at=yearly.starts_at - datetime.timedelta(days=1))
    old = MeetingFactory(network=network, starts_at=last_year)

    with pytest.raises(services.NetworkError, match="Only members"):
        services.record_meeting_attendance(yearly, [member, outsider], by=coordinator)
    assert not MeetingAttendance.objects.exists()

    for meeting in (yearly, earlier, old):
        services.record_meeting_attendance(meeting, [member], by=coordinator)
    services.record_meeting_attendance(yearly, [member, other_member], by=coordinator)
    [entry, *_] = entries_for(yearly)
    assert entry.action == "members.networkmeeting.attendance_recorded"
    assert entry.data["added"] == [other_member.pk]

    year = timezone.localdate(yearly.starts_at).year
    events = selectors.network_cpd_attendance(member, year)
    assert [(event.meeting_id, event.hours, event.counts_as_yearly_cpd_event) for event in events] == [
        (earlier.pk, Decimal("2.00"), False),
        (yearly.pk, Decimal("3.50"), True),
    ]
    assert events[0].network == network.name
    assert [event.meeting_id for event in selectors.network_cpd_attendance(member, year - 1)] == [old.pk]

    # Unticking someone removes the meeting from their CPD.
    services.record_meeting_attendance(yearly, [other_member], by=coordinator)
    assert [event.meeting_id for event in selectors.network_cpd_attendance(member, year)] == [earlier.pk]


def test_attendance_cannot_be_recorded_before_a_meeting_or_for_a_cancelled_one(network, coordinator):
    member = practitioner()
    MembershipFactory(network=network, person=member)
    future = MeetingFactory(network=network, starts_at=timezone.now() + datetime.timedelta(days=3))
    cancelled = MeetingFactory(network=network, is_cancelled=True)
    with pytest.raises(services.NetworkError, match="not taken place"):
        services.record_meeting_attendance(future, [member], by=coordinator)
    with pytest.raises(services.NetworkError, match="cancelled"):
        services.record_meeting_attendance(cancelled, [member], by=coordinator)
    assert not MeetingAttendance.objects.exists()


def test_a_member_who_left_keeps_the_attendance_recorded_before(network, coordinator):
    member = practitioner()
    membership = MembershipFactory(network=network, person=member)
    meeting = MeetingFactory(network=network)
    services.record_meeting_attendance(meeting, [member], by=coordinator)
    services.leave_network(membership, by=member)
    # Re-saving the register with the same attendee is allowed; they were recorded already.
    services.record_meeting_attendance(meeting, [member], by=coordinator)
    assert selectors.network_cpd_attendance(member, timezone.localdate(meeting.starts_at).year)
