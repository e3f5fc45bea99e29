"""A held credential as an Open Badges 3.0 credential signed by the Centre
(dit_portal.openbadges signs; this says what the credential claims)."""

from django.urls import reverse

from dit_portal import openbadges

from .enums import CredentialKind, CredentialStatus

State = openbadges.State
# A held credential's status as its place in the status list says it.
STATE_FOR_STATUS = {
    CredentialStatus.IN_PROGRESS: State.VALID,
    CredentialStatus.ACCREDITED: State.VALID,
    CredentialStatus.SUSPENDED: State.SUSPENDED,
    CredentialStatus.LAPSED: State.LAPSED,
    CredentialStatus.REVOKED: State.REVOKED,
}

CRITERIA = {
    CredentialKind.PRACTITIONER: (
        "Completed the 5-Day DIT Training with a passed role-play, supervision of two training cases and a "
        "passed case study, or the 20-Day DIT Programme with close supervision of three cases; accredited "
        "by the Anna Freud Centre, and maintained each year."
    ),
    CredentialKind.SUPERVISOR: (
        "An accredited DIT practitioner with general supervision experience who completed the DIT "
        "Supervisor training (supervised cases with rated recordings, close supervision of supervisees)."
    ),
    CredentialKind.TRAINER: (
        "An accredited DIT practitioner and supervisor who shadowed and then delivered DIT training at the "
        "Centre and was approved by the DIT Programme Director."
    ),
    CredentialKind.COMPLEX_CARE: (
        "An accredited DIT practitioner who completed the DIT for Complex Care training (the 28-session model)."
    ),
}


def achievement_url(kind):
    return openbadges.absolute_url(reverse("register:achievement", kwargs={"kind": kind}))


def achievement_for(kind):
    kind = CredentialKind(kind)
    return openbadges.achievement(
        achievement_id=achievement_url(kind),
        name=kind.label,
        description=f"{kind.label}, accredited by the Anna Freud Centre.",
        criteria=CRITERIA[kind],
        achievement_type="License",
    )


def can_download(credential):
    return credential.status == CredentialStatus.ACCREDITED and credential.accredited_on is not None


def signed_badge(credential):
    """The accredited `credential` as a signed VC-JWT (raises SigningKeyMissing)."""
    openbadges.signing_key()
    holder = credential.holder
    badge = openbadges.open_badge(
        source=credential,
        state=STATE_FOR_STATUS[credential.status],
        holder_name=holder.full_name or holder.email,
        holder_email=holder.email,
        name=credential.get_kind_display(),
        description=f"{holder.full_name or holder.email} is a {credential.get_kind_display()}.",
        achievement=achievement_for(credential.kind),
        valid_from=credential.accredited_on,
    )
    return openbadges.sign(badge)
