"""Seeded regional networks, shared by the data migration that enters them and the tests.

Source: the "DIT North-West Network" section of the Centre's page (seeds/001).
"""

NETWORKS = [
    {
        "slug": "north-west",
        "name": "DIT North-West Network",
        "region": "The North West: Greater Manchester, Merseyside, Lancashire, West Yorkshire, Cheshire and Cumbria",
        "summary": "Training and practising DIT practitioners in the North West, supporting each other through "
        "training and accreditation.",
        "description": """The DIT North-West Network first met informally in December 2012. It exists to allow
training and practising DIT practitioners to raise the profile of DIT in the North West
Region, including Greater Manchester, Merseyside, Lancashire, West Yorkshire, Cheshire and
Cumbria.

The group aims to support each other during training and accreditation, share information
and eventually provide peer supervision. There is the potential for other activities such as
organising training events. The most accessible DIT trainings to the North West are Leeds and
Edinburgh as well as London.

Members are Clinical Psychologists, Counsellors and Psychotherapists working in a variety of
Primary Care, Psychology or NHS Talking Therapies (IAPT) services in the region. As more
members qualify, the group is expected to evolve to meet the changing needs of its members and
of the provision of DIT in the North West. The meetings are informal, run collectively, and
all those eligible are most welcome.""",
        "rhythm": "Every two months",
        "usual_venue": "Prestwich site of Greater Manchester West Mental Health NHS Foundation Trust, "
        "close to Junction 17 of the M62",
        "core_members": "A core group of around 13 members, one of them training as a DIT supervisor",
        "eligibility": "All clinicians who have completed the initial week-long DIT training and are seeing "
        "training cases, or who are accredited as DIT practitioners.",
        "position": 10,
        "contacts": [
            ("Gareth Beresford-Jones", "garethberesford-jones@nhs.net"),
            ("Alison Harris", "alison.harris@gmw.nhs.uk"),
            ("Wendy Saint", "wendy.saint@nhs.net"),
        ],
    },
]


def seed_networks(Network, NetworkContact):
    """Enter (or restore) the seeded networks; models come from the caller. Idempotent."""
    for data in NETWORKS:
        data = dict(data)
        contacts = data.pop("contacts")
        network, _ = Network.objects.update_or_create(slug=data.pop("slug"), defaults=data)
        for position, (name, email) in enumerate(contacts, start=1):
            NetworkContact.objects.update_or_create(
                network=network, name=name, defaults={"email": email, "role": "Key contact", "position": position}
            )


def remove_networks(Network, NetworkContact):
    """Undo the seed (migrating backwards): its members and attendance go with it, as their
    tables are about to be dropped."""
    for network in Network.objects.filter(slug__in=[data["slug"] for data in NETWORKS]):
        for meeting in network.meetings.all():
            meeting.attendance.all().delete()
        network.memberships.all().delete()
        network.delete()
