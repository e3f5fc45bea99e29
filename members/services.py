"""State changes of what a person holds. Accreditation decides when; this records it."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email

from . import roles
from .enums import CredentialStatus
from .models import ContactMessage, CredentialEvent, HeldCredential, User


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
