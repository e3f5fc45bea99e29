"""State changes of what a person holds. Accreditation decides when; this records it.

Every status change of a held credential goes through `set_credential_status`: one
transaction, the credential row locked, the move checked against CREDENTIAL_TRANSITIONS,
saved with `update_fields`, one CredentialEvent with its effective date, who and why, and
one audit entry. The history answers "what was X's status on date D"
(`credential_status_on`), which the accreditation engine asks of supervisors (D5, D15).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.files import private_storage

from .enums import CREDENTIAL_TRANSITIONS, ONCE_ACCREDITED_STATES, CredentialKind, CredentialRoute, CredentialStatus
from .models import CredentialEvent, HeldCredential, PersonProfile


class CredentialError(Exception):
    pass


def _label(status):
    return CredentialStatus(status).label.lower()


def _check_date(effective_on, what="The effective date"):
    if not isinstance(effective_on, datetime.date):
        raise CredentialError(f"{what} is not a date.")
    if effective_on > timezone.localdate():
        raise CredentialError(f"{what} ({effective_on:%-d %B %Y}) is in the future.")


def set_credential_status(holder, kind, status, *, by=None, note="", effective_on=None, route=None):
    """Move `holder`'s credential of `kind` to `status` from `effective_on` (default today),
    creating it if the person has none yet (a first record may take any status). Returns the
    credential. Refusals raise CredentialError and change nothing."""
    if status not in CredentialStatus.values:
        raise CredentialError(f"Unknown credential status: {status!r}.")
    if kind not in CredentialKind.values:
        raise CredentialError(f"Unknown credential: {kind!r}.")
    if route and route not in CredentialRoute.values:
        raise CredentialError(f"Unknown accreditation route: {route!r}.")
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
                f"A {_label(previous)} credential cannot become {_label(status)} (possible: {allowed})."
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
    today)."""
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
            profile.supervision_evidence_name = evidence.name[:255]
            profile.supervision_evidence.save(evidence.name, evidence, save=False)
            changed["supervision_evidence"] = [old_file and "uploaded", evidence.name]
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
