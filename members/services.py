"""State changes of what a person holds. Accreditation decides when; this records it.

Every status change of a held credential goes through `set_credential_status`: one
transaction, the credential row locked, the move checked against CREDENTIAL_TRANSITIONS,
saved with `update_fields`, one CredentialEvent with its effective date, who and why, and
one audit entry; the credential's place in the signed credentials' status list
(dit_portal.openbadges) follows in the same transaction. The history answers "what was X's
status on date D" (`credential_status_on`), which the accreditation engine asks of
supervisors (D5, D15).

Regional network memberships and meeting attendance change here too (see their section).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone

from dit_portal import openbadges
from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from dit_portal.files import EVIDENCE_KINDS, prepare_upload, private_storage, shown_name
from dit_portal.text import with_article

from . import roles
from .access import network_eligibility
from .badges import STATE_FOR_STATUS
from .enums import (
    CREDENTIAL_TRANSITIONS,
    JOINABLE_STATES,
    LEAVABLE_STATES,
    ONCE_ACCREDITED_STATES,
    CredentialKind,
    CredentialRoute,
    CredentialStatus,
    EligibilityRoute,
    MembershipStatus,
)
from .models import (
    ContactMessage,
    CredentialEvent,
    HeldCredential,
    MeetingAttendance,
    Network,
    NetworkMeeting,
    NetworkMembership,
    PersonProfile,
    User,
)


class CredentialError(Exception):
    pass


def _label(status):
    return CredentialStatus(status).label.lower()


def _check_date(effective_on, what="The effective date"):
    if not isinstance(effective_on, datetime.date):
        raise CredentialError(f"{what} is not a date.")
    if effective_on > timezone.localdate():
        raise CredentialError(f"{what} ({effective_on:%-d %B %Y}) is in the future.")


TRAINER_DECISION = "Only the Programme Director decides on AFC trainer status."


def may_decide_credential(user, kind):
    """Coordinators record and change credentials; the AFC trainer credential is the
    Programme Director's decision (step 4 of the trainer route), or a superuser's."""
    if kind != CredentialKind.TRAINER:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or roles.has_role(user, roles.PROGRAMME_DIRECTOR)


def set_credential_status(holder, kind, status, *, by=None, note="", effective_on=None, route=None):
    """Move `holder`'s credential of `kind` to `status` from `effective_on` (default today),
    creating it if the person has none yet (a first record may take any status). Returns the
    credential. Refusals raise CredentialError and change nothing.

    A change made by a person (`by`) of the AFC trainer credential needs the Programme
    Director or a superuser; `by=None` is the portal itself (seed and demo data)."""
    if status not in CredentialStatus.values:
        raise CredentialError(f"Unknown credential status: {status!r}.")
    if kind not in CredentialKind.values:
        raise CredentialError(f"Unknown credential: {kind!r}.")
    if route and route not in CredentialRoute.values:
        raise CredentialError(f"Unknown accreditation route: {route!r}.")
    if by is not None and not may_decide_credential(by, kind):
        raise CredentialError(TRAINER_DECISION)
    effective_on = effective_on or timezone.localdate()
    _check_date(effective_on)
    note = (note or "").strip()
    with transaction.atomic():
        credential, created = HeldCredential.objects.select_for_update().get_or_create(holder=holder, kind=kind)
        last = None if created else credential.events.order_by("-effective_on", "-created_at", "-id").first()
        previous = credential.status if last is not None else ""
        if previous == status:
            raise CredentialError(f"The credential is already {credential.get_status_display().lower()}.")
        if previous and status not in CREDENTIAL_TRANSITIONS[previous]:
            allowed = ", ".join(_label(s) for s in CREDENTIAL_TRANSITIONS[previous]) or "none: it is final"
            raise CredentialError(
                f"{with_article(_label(previous))[0].upper()}{with_article(_label(previous))[1:]} credential cannot become {_label(status)} (possible: {allowed})."
            )
        if last is not None and effective_on < last.effective_on:
            raise CredentialError(
                f"The effective date must not be before the last change ({last.effective_on:%-d %B %Y})."
            )
        credential.status = status
        fields = ["status", "updated_at"]
        if status in ONCE_ACCREDITED_STATES and credential.accredited_on is None:
            credential.accredited_on = effective_on
            fields.append("accredited_on")
        if route and route != credential.route:
            credential.route = route
            fields.append("route")
        credential.save(update_fields=fields)
        CredentialEvent.objects.create(
            credential=credential, from_status=previous, to_status=status, by=by, note=note, effective_on=effective_on
        )
        openbadges.record_status(credential, STATE_FOR_STATUS[status])
        log_action(
            credential,
            "members.credential.status_changed",
            user=by,
            data={"from": previous, "to": status, "effective_on": effective_on, "note": note, "route": route or ""},
        )
    return credential


def record_credential(holder, kind, *, status, accredited_on, route, note="", by=None, status_since=None):
    """Record a credential a person already holds (the existing register, or one granted
    before the portal), with its real accreditation date. A status other than accredited
    is recorded as accredited on `accredited_on`, then changed on `status_since` (default
    today). Someone records it (`by`); the AFC trainer credential only the Programme Director
    or a superuser."""
    if kind == CredentialKind.TRAINER and not may_decide_credential(by, kind):
        raise CredentialError(TRAINER_DECISION)
    if HeldCredential.objects.filter(holder=holder, kind=kind).exists():
        raise CredentialError(f"{holder} already has a {CredentialKind(kind).label} record; change its status instead.")
    if status in ONCE_ACCREDITED_STATES:
        if accredited_on is None:
            raise CredentialError("Give the date the credential was accredited.")
        _check_date(accredited_on, "The accreditation date")
    elif accredited_on is not None:
        raise CredentialError("A credential in progress has no accreditation date yet.")
    with transaction.atomic():
        if status in ONCE_ACCREDITED_STATES:
            credential = set_credential_status(
                holder, kind, CredentialStatus.ACCREDITED, by=by, note=note, effective_on=accredited_on, route=route
            )
            if status != CredentialStatus.ACCREDITED:
                since = status_since or max(accredited_on, timezone.localdate())
                credential = set_credential_status(
                    holder, kind, status, by=by, note=note or "As recorded in the register.", effective_on=since
                )
        else:
            credential = set_credential_status(holder, kind, status, by=by, note=note, route=route)
        if note and credential.note != note:
            credential.note = note
            credential.save(update_fields=["note"])
    return credential


def holds_credential(user, kind):
    """Whether `user` currently holds `kind` as an accredited credential."""
    return HeldCredential.objects.filter(holder=user, kind=kind, status=CredentialStatus.ACCREDITED).exists()


def has_credential_on_record(user, kind):
    """Whether `user` holds `kind` in any status but revoked: what "DIT practitioner" means
    in the eligibility of CPD courses (D13)."""
    return HeldCredential.objects.filter(holder=user, kind=kind).exclude(status=CredentialStatus.REVOKED).exists()


def credential_timelines(holder_ids, kind):
    """{holder id: [(effective_on, status), ...] oldest first} for the holders of `kind`,
    in one query; read with `status_in_timeline`."""
    timelines = {}
    events = (
        CredentialEvent.objects.filter(credential__holder_id__in=list(holder_ids), credential__kind=kind)
        .order_by("effective_on", "created_at", "id")
        .values_list("credential__holder_id", "effective_on", "to_status")
    )
    for holder_id, effective_on, status in events:
        timelines.setdefault(holder_id, []).append((effective_on, status))
    return timelines


def all_credential_timelines(holder_ids):
    """{holder id: {kind: [(effective_on, status), ...] oldest first}} for every credential
    of the holders, in one query; the form of `credential_timelines` for readers that need
    several kinds for many people (the requirements engine)."""
    timelines = {holder_id: {} for holder_id in holder_ids}
    events = (
        CredentialEvent.objects.filter(credential__holder_id__in=list(holder_ids))
        .order_by("effective_on", "created_at", "id")
        .values_list("credential__holder_id", "credential__kind", "effective_on", "to_status")
    )
    for holder_id, kind, effective_on, status in events:
        timelines[holder_id].setdefault(kind, []).append((effective_on, status))
    return timelines


def status_on_day(holder, kind, day):
    """The SQL form of `status_in_timeline`: an expression for the status of `holder`'s `kind`
    on `day` (both expressions, e.g. OuterRef("supervisor") and OuterRef("date")); NULL when
    not yet held."""
    return Subquery(
        CredentialEvent.objects.filter(credential__holder=holder, credential__kind=kind, effective_on__lte=day)
        .order_by("-effective_on", "-created_at", "-id")
        .values("to_status")[:1]
    )


def status_in_timeline(timeline, day):
    """The status on `day` in a timeline from `credential_timelines` (None: not yet held)."""
    status = None
    for effective_on, to_status in timeline or ():
        if effective_on > day:
            break
        status = to_status
    return status


def credential_status_on(person, kind, day):
    """What `person`'s credential of `kind` was on `day`: a CredentialStatus value, or None
    if they had no record of it then."""
    return status_in_timeline(credential_timelines([person.pk], kind).get(person.pk), day)


def accredited_on_day(person, kind, day):
    return credential_status_on(person, kind, day) == CredentialStatus.ACCREDITED


# Person profile ---------------------------------------------------------------------------


def profile_of(person):
    """The person's profile, created empty on first use."""
    profile, _ = PersonProfile.objects.get_or_create(person=person)
    return profile


def update_profile(person, *, values, evidence=None, by):
    """Save what a person says about themselves. A change of supervision experience or its
    evidence withdraws a coordinator's earlier verification."""
    with transaction.atomic():
        profile, _ = PersonProfile.objects.select_for_update().get_or_create(person=person)
        changed = {}
        for name, value in values.items():
            old = getattr(profile, name)
            if old != value:
                changed[name] = [str(old) if old is not None else "", str(value) if value is not None else ""]
                setattr(profile, name, value)
        old_file = profile.supervision_evidence.name if profile.supervision_evidence else ""
        if evidence is not None:
            try:
                evidence = prepare_upload(evidence, EVIDENCE_KINDS)  # checked again here; pictures re-encoded
            except ValidationError as error:
                raise CredentialError(" ".join(error.messages)) from error
            profile.supervision_evidence_name = shown_name(evidence.name)
            profile.supervision_evidence.save(evidence.name, evidence, save=False)
            changed["supervision_evidence"] = [old_file and "uploaded", profile.supervision_evidence_name]
        if changed and ("supervision_years" in changed or evidence is not None) and profile.supervision_verified:
            profile.supervision_verified_at = None
            profile.supervision_verified_by = None
            changed["supervision_verified"] = ["yes", "no"]
        if not changed:
            return profile
        profile.save()
        log_action(profile, "members.profile.changed", user=by, data={"changed": changed})
        if evidence is not None and old_file:
            transaction.on_commit(lambda: private_storage().delete(old_file))
    return profile


def verify_supervision_experience(profile, *, by):
    """A coordinator confirms the declared general supervision experience against its evidence."""
    with transaction.atomic():
        profile = PersonProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.supervision_verified:
            raise CredentialError(f"{profile.person}'s supervision experience is already verified.")
        if profile.supervision_years is None or not profile.supervision_evidence:
            raise CredentialError(f"{profile.person} has not declared their supervision experience with evidence yet.")
        profile.supervision_verified_at = timezone.now()
        profile.supervision_verified_by = by
        profile.save(update_fields=["supervision_verified_at", "supervision_verified_by", "updated_at"])
        log_action(
            profile,
            "members.profile.supervision_verified",
            user=by,
            data={"years": profile.supervision_years},
        )
    return profile


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


def coordinator_addresses():
    """The e-mail addresses of the active coordinators (never shown on a page)."""
    return list(
        User.objects.filter(groups__name=roles.COORDINATOR, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def send_contact_message(*, name, email, topic, message, sender=None):
    """Store a message from the contact page and e-mail it to the coordinators on commit."""
    name, message = name.strip(), message.strip()
    if not name or not message or topic not in ContactMessage.Topic.values:
        raise ValueError("A contact message needs a name, a topic and a message.")
    with transaction.atomic():
        contact = ContactMessage.objects.create(
            name=name,
            email=email.strip().lower(),
            topic=topic,
            message=message,
            sender=sender if sender is not None and sender.is_authenticated else None,
        )
        recipients = coordinator_addresses()
        log_action(contact, "members.contact.received", user=contact.sender, data={"to": len(recipients)})
        if recipients:
            send_templated_email(
                "members/emails/contact_message",
                {
                    "contact": contact,
                    "admin_url": reverse("admin:members_contactmessage_change", args=[contact.pk]),
                },
                to=recipients,
                reply_to=contact.email,
            )
    return contact
