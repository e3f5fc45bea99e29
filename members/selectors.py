"""Reads shared by the members pages, the admin and other apps.

`network_cpd_attendance(person, year)` is the public reading of network meetings as CPD:
the accreditation checks read it (members cannot import the app that keeps CPD records).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .enums import CredentialStatus, MembershipStatus
from .models import (
    HeldCredential,
    MeetingAttendance,
    MemberResource,
    Network,
    NetworkContact,
    NetworkMeeting,
    NetworkMembership,
)


@dataclass(frozen=True)
class NetworkCPDEvent:
    """One network meeting a person attended, as a CPD event."""

    meeting_id: int
    network: str
    title: str
    date: date
    hours: Decimal
    counts_as_yearly_cpd_event: bool


def network_cpd_attendance(person, year):
    """Network meetings `person` attended in calendar `year` (local dates), oldest first,
    with their CPD hours and whether each counts as the yearly CPD event (D1)."""
    attended = (
        MeetingAttendance.objects.filter(person=person, meeting__is_cancelled=False)
        .filter(meeting__starts_at__date__year=year)
        .select_related("meeting__network")
        .order_by("meeting__starts_at", "meeting_id")
    )
    return [
        NetworkCPDEvent(
            meeting_id=row.meeting_id,
            network=row.meeting.network.name,
            title=row.meeting.title,
            date=timezone.localdate(row.meeting.starts_at),
            hours=row.meeting.hours,
            counts_as_yearly_cpd_event=row.meeting.counts_as_yearly_cpd_event,
        )
        for row in attended
    ]


def published_resources(*, query="", group=None):
    resources = MemberResource.objects.filter(is_published=True).select_related("group")
    if group is not None:
        resources = resources.filter(group=group)
    if query:
        resources = resources.filter(
            Q(title__icontains=query) | Q(description__icontains=query) | Q(group__title__icontains=query)
        )
    return resources.order_by("group__position", "group__title", "title", "pk")


def listed_networks():
    """Published networks with their active member count and next meeting date."""
    now = timezone.now()
    members = (
        NetworkMembership.objects.filter(network=OuterRef("pk"), status=MembershipStatus.ACTIVE)
        .order_by()
        .values("network")
        .annotate(count=Count("pk"))
        .values("count")
    )
    upcoming = NetworkMeeting.objects.filter(network=OuterRef("pk"), is_cancelled=False, starts_at__gte=now)
    return Network.objects.filter(is_published=True).annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
        next_meeting_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
    )


def network_page(slug):
    """A published network with its contacts and meetings loaded (a fixed number of queries)."""
    return (
        Network.objects.filter(is_published=True, slug=slug)
        .prefetch_related(
            Prefetch("contacts", queryset=NetworkContact.objects.order_by("position", "name")),
            Prefetch(
                "meetings",
                queryset=NetworkMeeting.objects.annotate(attendee_count=Count("attendance")).order_by("starts_at"),
            ),
        )
        .first()
    )


def membership_of(person, network):
    if not person.is_authenticated:
        return None
    return NetworkMembership.objects.filter(person=person, network=network).first()


def active_members(network):
    return (
        NetworkMembership.objects.filter(network=network, status=MembershipStatus.ACTIVE)
        .select_related("person")
        .order_by("person__full_name", "person__email")
    )


# The public register ----------------------------------------------------------------------

# Erasure (members.privacy) deactivates the account and gives it an address on this domain.
ERASED_ADDRESS_SUFFIX = "@erased.invalid"


def _accredited(kind=""):
    credentials = HeldCredential.objects.filter(status=CredentialStatus.ACCREDITED)
    return credentials.filter(kind=kind) if kind else credentials


def register_entries(*, name="", exact_name=False, region="", country="", credential=""):
    """The public register: people who opted in and hold at least one credential accredited
    now (of `credential`, when given), each with `register_credentials`, those accredited
    credentials. Lapsed, suspended and revoked credentials are never listed; an erased or
    deactivated account never appears. Name and region match from their start, without case
    (the name through its prefix index, members migration 0008); `exact_name` asks for the
    whole name."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, profile__on_register=True)
        .exclude(email__endswith=ERASED_ADDRESS_SUFFIX)
        .filter(Exists(_accredited(credential).filter(holder=OuterRef("pk"))))
    )
    if name:
        people = people.filter(full_name__iexact=name) if exact_name else people.filter(full_name__istartswith=name)
    if region:
        people = people.filter(profile__region__istartswith=region)
    if country:
        people = people.filter(profile__country=country)
    return (
        people.select_related("profile")
        .prefetch_related(
            Prefetch("credentials", queryset=_accredited().order_by("kind"), to_attr="register_credentials")
        )
        .only("full_name", "profile__region", "profile__country")
        .order_by("full_name", "pk")
    )


def on_register(name, credential):
    """The employer's check: is someone of exactly this name on the register holding
    `credential` now?"""
    return register_entries(name=name.strip(), exact_name=True, credential=credential).exists()
