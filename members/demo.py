"""Demo members-area rows for `manage.py seed_demo` (local runs only): meetings of the
seeded North-West network, a member who attended one, and members' resources."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .enums import MeetingMode, MembershipStatus, ResourceKind
from .models import MemberResource, Network, NetworkMeeting, NetworkMembership, ResourceGroup, User

DEMO_MEETINGS = [
    # title, days from today, mode, hours, counts as the yearly CPD event
    ("Demo meeting: case discussion", -60, MeetingMode.IN_PERSON, Decimal("2.00"), False),
    ("Demo meeting: DIT and endings (yearly CPD event)", 30, MeetingMode.HYBRID, Decimal("3.00"), True),
    ("Demo meeting: peer supervision", 90, MeetingMode.ONLINE, Decimal("1.50"), False),
]


def load_demo(stdout):
    network = Network.objects.filter(slug="north-west").first()
    if network is None or network.meetings.filter(title__startswith="Demo meeting").exists():
        return
    now = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0)
    meetings = []
    for title, days, mode, hours, yearly in DEMO_MEETINGS:
        meetings.append(
            NetworkMeeting.objects.create(
                network=network,
                title=title,
                starts_at=now + datetime.timedelta(days=days),
                mode=mode,
                venue="" if mode == MeetingMode.ONLINE else network.usual_venue,
                online_link="" if mode == MeetingMode.IN_PERSON else "https://meet.example.org/dit-north-west",
                agenda="1. Welcome\n2. Case discussion\n3. News from the Centre",
                hours=hours,
                counts_as_yearly_cpd_event=yearly,
            )
        )
    practitioner = User.objects.filter(email="practitioner@demo.dit-portal.example").first()
    if practitioner:
        NetworkMembership.objects.get_or_create(
            network=network,
            person=practitioner,
            defaults={"status": MembershipStatus.ACTIVE, "route": "credential", "joined_at": timezone.now()},
        )
        meetings[0].attendance.get_or_create(person=practitioner)
    group, _ = ResourceGroup.objects.get_or_create(
        title="Demo: practice materials", defaults={"description": "Forms and guides for DIT practitioners."}
    )
    MemberResource.objects.get_or_create(
        title="Demo: DIT competences framework (UCL CORE)",
        defaults={"group": group, "kind": ResourceKind.LINK, "url": "https://www.ucl.ac.uk/CORE"},
    )
    stdout.write(f"Demo network meetings: {len(meetings)} for {network}.")
