"""State changes of what a person holds. Accreditation decides when; this records it."""

from django.db import transaction
from django.utils import timezone

from dit_portal.audit import log_action

from .enums import CredentialStatus
from .models import CredentialEvent, HeldCredential


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
