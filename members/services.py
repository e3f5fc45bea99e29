"""State changes in members: what a person holds (accreditation decides when; this records
it) and regional network memberships and meeting attendance."""

from django.db import transaction
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email

from .access import network_eligibility
from .enums import JOINABLE_STATES, LEAVABLE_STATES, CredentialStatus, EligibilityRoute, MembershipStatus
from .models import (
    CredentialEvent,
    HeldCredential,
    MeetingAttendance,
    Network,
    NetworkMeeting,
    NetworkMembership,
)


class CredentialError(Exception):
    pass


def set_credential_status(holder, kind, status, *, by=None, note=""):
    """Move `holder`'s credential of `kind` to `status`, creating it if needed; records history."""
    if status not in CredentialStatus.values:
        raise CredentialError(f"Unknown credential status: {status!r}.")
    with transaction.atomic():
        credential, _ = HeldCredential.objects.select_for_update().get_or_create(holder=holder, kind=kind)
        previous = credential.status if credential.pk and credential.events.exists() else ""
        if previous == status:
            raise CredentialError(f"The credential is already {credential.get_status_display().lower()}.")
        credential.status = status
        fields = ["status", "updated_at"]
        if status == CredentialStatus.ACCREDITED and credential.accredited_on is None:
            credential.accredited_on = timezone.localdate()
            fields.append("accredited_on")
        credential.save(update_fields=fields)
        CredentialEvent.objects.create(credential=credential, from_status=previous, to_status=status, by=by, note=note)
        log_action(
            credential,
            "members.credential.status_changed",
            user=by,
            data={"from": previous, "to": status, "note": note},
        )
    return credential


def holds_credential(user, kind):
    """Whether `user` currently holds `kind` as an accredited credential."""
    return HeldCredential.objects.filter(holder=user, kind=kind, status=CredentialStatus.ACCREDITED).exists()


# Regional networks -----------------------------------------------------------------------
#
# The same contract as the trainings services: each function runs in one transaction,
# locks the network row first (then the membership) so changes to one network's members are
# serialised, checks the current status against MEMBERSHIP_TRANSITIONS, saves with
# `update_fields`, writes one audit entry and sends its e-mail after commit. A refusal raises
# NetworkError with a message meant for the person who asked.


class NetworkError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _lock_network(network_id):
    return Network.objects.select_for_update().get(pk=network_id)


def _lock_membership(membership_id):
    return (
        NetworkMembership.objects.select_for_update(of=("self",))
        .select_related("person", "network")
        .get(pk=membership_id)
    )


def _move(membership, status, *, by, action, extra_fields=(), data=None):
    if not membership.can_become(status):
        raise NetworkError(
            f"This membership is {membership.get_status_display().lower()}; "
            f"it cannot become {MembershipStatus(status).label.lower()}."
        )
    previous = membership.status
    membership.status = status
    membership.save(update_fields=["status", *extra_fields])
    log_action(membership, action, user=by, data={"from": previous, "to": status, **(data or {})})


def _mail(template, membership):
    send_templated_email(
        f"members/emails/{template}",
        {"membership": membership, "network": membership.network, "person": membership.person},
        to=membership.person.email,
    )


def join_network(network, person, *, declaration=""):
    """`person` asks to join `network`. Eligible by the portal's records: a member at once.
    Otherwise their declaration goes to the coordinators to confirm."""
    declaration = (declaration or "").strip()
    with transaction.atomic():
        network = _lock_network(network.pk)
        if not network.is_published:
            raise NetworkError("This network is not open to new members.")
        eligibility = network_eligibility(person)
        if not eligibility.confirmed_by_records and not declaration:
            raise NetworkError(
                "The portal has no record of your completed initial DIT training or a practitioner credential. "
                "Tell the coordinators how you meet the network's conditions, and they will confirm your membership."
            )
        status = MembershipStatus.ACTIVE if eligibility.confirmed_by_records else MembershipStatus.PENDING
        route = eligibility.route or EligibilityRoute.DECLARATION
        now = timezone.now()
        membership = NetworkMembership.objects.filter(network=network, person=person).first()
        if membership is None:
            membership = NetworkMembership.objects.create(
                network=network,
                person=person,
                status=status,
                route=route,
                declaration=declaration if status == MembershipStatus.PENDING else "",
                requested_at=now,
                joined_at=now if status == MembershipStatus.ACTIVE else None,
            )
            log_action(
                membership,
                "members.networkmembership.joined"
                if status == MembershipStatus.ACTIVE
                else "members.networkmembership.requested",
                user=person,
                data={"to": status, "route": route},
            )
        else:
            membership = _lock_membership(membership.pk)
            if membership.status not in JOINABLE_STATES:
                raise NetworkError(
                    "You are already a member of this network."
                    if membership.status == MembershipStatus.ACTIVE
                    else "Your request to join is already with the coordinators."
                )
            membership.route = route
            membership.declaration = declaration if status == MembershipStatus.PENDING else ""
            membership.requested_at = now
            membership.joined_at = now if status == MembershipStatus.ACTIVE else None
            membership.left_at = None
            membership.decision_note = ""
            _move(
                membership,
                status,
                by=person,
                action="members.networkmembership.joined"
                if status == MembershipStatus.ACTIVE
                else "members.networkmembership.requested",
                extra_fields=["route", "declaration", "requested_at", "joined_at", "left_at", "decision_note"],
                data={"route": route},
            )
        _mail("network_joined" if status == MembershipStatus.ACTIVE else "network_request_received", membership)
    return membership


def leave_network(membership, *, by):
    """The member leaves (or withdraws a request still with the coordinators)."""
    with transaction.atomic():
        _lock_network(membership.network_id)
        membership = _lock_membership(membership.pk)
        if membership.status not in LEAVABLE_STATES:
            raise NetworkError("You are not a member of this network.")
        membership.left_at = timezone.now()
        _move(
            membership, MembershipStatus.LEFT, by=by, action="members.networkmembership.left", extra_fields=["left_at"]
        )
    return membership


def confirm_membership(membership, *, by, note=""):
    """A coordinator confirms a declared eligibility: the person becomes a member."""
    with transaction.atomic():
        _lock_network(membership.network_id)
        membership = _lock_membership(membership.pk)
        if membership.status != MembershipStatus.PENDING:
            raise NetworkError(
                f"{membership.person} has no request waiting ({membership.get_status_display().lower()})."
            )
        membership.joined_at = timezone.now()
        membership.decided_by = by
        membership.decision_note = note.strip()
        _move(
            membership,
            MembershipStatus.ACTIVE,
            by=by,
            action="members.networkmembership.confirmed",
            extra_fields=["joined_at", "decided_by", "decision_note"],
            data={"note": membership.decision_note},
        )
        _mail("network_joined", membership)
    return membership


def decline_membership(membership, *, by, reason):
    """A coordinator does not confirm a declared eligibility; the person is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise NetworkError("Give the reason; it is sent to the person.")
    with transaction.atomic():
        _lock_network(membership.network_id)
        membership = _lock_membership(membership.pk)
        if membership.status != MembershipStatus.PENDING:
            raise NetworkError(
                f"{membership.person} has no request waiting ({membership.get_status_display().lower()})."
            )
        membership.decided_by = by
        membership.decision_note = reason
        _move(
            membership,
            MembershipStatus.DECLINED,
            by=by,
            action="members.networkmembership.declined",
            extra_fields=["decided_by", "decision_note"],
            data={"reason": reason},
        )
        _mail("network_request_declined", membership)
    return membership


def record_meeting_attendance(meeting, people, *, by):
    """Set who attended `meeting` to exactly `people` (members of its network). Attendance
    is read as CPD (`members.selectors.network_cpd_attendance`)."""
    wanted = {person.pk for person in people}
    with transaction.atomic():
        _lock_network(meeting.network_id)
        meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.is_cancelled:
            raise NetworkError("This meeting was cancelled; nobody attended it.")
        if meeting.starts_at > timezone.now():
            raise NetworkError("This meeting has not taken place yet.")
        recorded = set(meeting.attendance.values_list("person_id", flat=True))
        members = set(
            NetworkMembership.objects.filter(network_id=meeting.network_id, status=MembershipStatus.ACTIVE).values_list(
                "person_id", flat=True
            )
        )
        # People recorded earlier stay valid even if they have left since.
        strangers = wanted - members - recorded
        if strangers:
            raise NetworkError("Only members of the network can be recorded as attending its meetings.")
        added, removed = wanted - recorded, recorded - wanted
        if not added and not removed:
            return meeting
        meeting.attendance.filter(person_id__in=removed).delete()
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, person_id=person_id, recorded_by=by) for person_id in sorted(added)
        )
        log_action(
            meeting,
            "members.networkmeeting.attendance_recorded",
            user=by,
            data={"added": sorted(added), "removed": sorted(removed), "hours": meeting.hours},
        )
    return meeting
