"""Demo certificates for `manage.py seed_demo` (local runs only): the demo practitioner's."""

from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential

from . import services
from .models import Certificate


def load_demo(stdout):
    if Certificate.objects.filter(holder__email__endswith="@demo.dit-portal.example").exists():
        return
    credential = HeldCredential.objects.filter(
        holder__email="practitioner@demo.dit-portal.example",
        kind=CredentialKind.PRACTITIONER,
        status=CredentialStatus.ACCREDITED,
    ).first()
    if credential is None:
        return
    for achievement in credential.certificate_achievements():
        services.issue_certificate(
            holder=achievement.holder,
            title=achievement.title,
            kind=achievement.kind,
            achieved_on=achievement.achieved_on,
            description=achievement.description,
            source=achievement.source,
        )
    stdout.write("Demo certificates: the demo practitioner's, under Members area → Your certificates.")
