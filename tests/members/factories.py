import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from members.enums import CredentialKind, CredentialStatus, MeetingMode, MembershipStatus, ResourceKind
from members.models import (
    MemberResource,
    Network,
    NetworkContact,
    NetworkMeeting,
    NetworkMembership,
    ResourceGroup,
)
from members.services import set_credential_status
from tests.factories import UserFactory
from tests.files import PDF_BYTES  # a real PDF, as the upload checks read it


def practitioner(status=CredentialStatus.ACCREDITED, **kwargs):
    """A person holding the DIT practitioner credential in `status`."""
    person = UserFactory(**kwargs)
    set_credential_status(person, CredentialKind.PRACTITIONER, status)
    return person


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Test network {n}")
    slug = factory.Sequence(lambda n: f"test-network-{n}")
    region = "Somewhere"
    summary = "A network for tests."
    description = "It meets."
    rhythm = "Every two months"
    eligibility = "Clinicians who completed the initial DIT training."


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkContact

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@nhs.example")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMeeting

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    mode = MeetingMode.ONLINE
    online_link = "https://meet.example.org/network"
    hours = Decimal("2.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(NetworkFactory)
    person = factory.SubFactory(UserFactory)
    status = MembershipStatus.ACTIVE
    route = "credential"
    joined_at = factory.LazyFunction(timezone.now)


class ResourceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceGroup

    title = factory.Sequence(lambda n: f"Group {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published members-only link; `document=True` makes it a stored PDF instead."""

    class Meta:
        model = MemberResource
        skip_postgeneration_save = True

    group = factory.SubFactory(ResourceGroupFactory)
    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = ResourceKind.LINK
    url = "https://example.org/resource"

    @factory.post_generation
    def document(self, create, extracted, **kwargs):
        if create and extracted:
            self.kind = ResourceKind.DOCUMENT
            self.url = ""
            self.file_name = "Guide to DIT supervision.pdf"
            self.file.save("guide.pdf", ContentFile(PDF_BYTES), save=False)
            self.save()
