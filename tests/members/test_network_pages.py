"""The networks' pages, joining and leaving through them, and the coordinators' admin."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import roles
from members.enums import MembershipStatus
from members.models import MeetingAttendance, NetworkMembership
from tests.factories import UserFactory, staff_with_totp

from .factories import ContactFactory, MeetingFactory, MembershipFactory, NetworkFactory, practitioner

pytestmark = pytest.mark.django_db


def test_the_public_sees_a_network_but_not_its_contacts_or_meeting_links(client):
    network = NetworkFactory(name="North test network", rhythm="Every two months")
    ContactFactory(network=network, name="Gwen Contact", email="gwen@nhs.example")
    MeetingFactory(
        network=network,
        title="Spring meeting",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        agenda="Case discussion",
        counts_as_yearly_cpd_event=True,
    )
    text = client.get(network.get_absolute_url()).content.decode()
    assert "North test network" in text and "Every two months" in text
    assert "Spring meeting" in text and "Counts as the yearly CPD event" in text
    assert "Case discussion" in text
    assert "gwen@nhs.example" not in text
    assert "https://meet.example.org/network" not in text
    assert "shown to its members" in text

    listing = client.get(reverse("members:network_list")).content.decode()
    assert "North test network" in listing


def test_members_and_coordinators_see_the_contacts(client):
    network = NetworkFactory()
    ContactFactory(network=network, email="gwen@nhs.example")
    MeetingFactory(network=network, starts_at=timezone.now() + datetime.timedelta(days=3))
    member = practitioner()
    MembershipFactory(network=network, person=member)
    client.force_login(member)
    text = client.get(network.get_absolute_url()).content.decode()
    assert "gwen@nhs.example" in text
    assert "https://meet.example.org/network" in text

    pending = MembershipFactory(network=network, status=MembershipStatus.PENDING).person
    client.force_login(pending)
    assert "gwen@nhs.example" not in client.get(network.get_absolute_url()).content.decode()

    client.force_login(UserFactory(role=roles.COORDINATOR))
    assert "gwen@nhs.example" in client.get(network.get_absolute_url()).content.decode()


def test_an_unpublished_network_is_not_found(client):
    network = NetworkFactory(is_published=False)
    assert client.get(network.get_absolute_url()).status_code == 404
    client.force_login(practitioner())
    assert client.get(reverse("members:network_join", args=[network.slug])).status_code == 404


def test_joining_through_the_page_with_a_credential(client, django_capture_on_commit_callbacks):
    network = NetworkFactory()
    person = practitioner()
    client.force_login(person)
    page = client.get(reverse("members:network_join", args=[network.slug])).content.decode()
    assert "you can join straight away" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:network_join", args=[network.slug]))
    assert response["Location"] == network.get_absolute_url()
    assert NetworkMembership.objects.get(person=person).status == MembershipStatus.ACTIVE
    assert mail.outbox[0].to == [person.email]


def test_without_a_record_the_form_asks_for_a_declaration_and_explains_an_empty_one(client):
    network = NetworkFactory()
    person = UserFactory()
    client.force_login(person)
    url = reverse("members:network_join", args=[network.slug])
    response = client.post(url, {"declaration": ""})
    assert response.status_code == 200
    assert "Tell the coordinators how you meet the network" in response.content.decode()
    assert not NetworkMembership.objects.exists()

    client.post(url, {"declaration": "Completed the 5-day training in Edinburgh; two training cases."})
    membership = NetworkMembership.objects.get(person=person)
    assert membership.status == MembershipStatus.PENDING
    assert "two training cases" in membership.declaration
    # Asking again while the request waits is answered, not repeated.
    again = client.post(url, {"declaration": "Again"})
    assert again.status_code == 302
    assert NetworkMembership.objects.get(person=person).declaration == membership.declaration


def test_leaving_through_the_page(client):
    network = NetworkFactory()
    membership = MembershipFactory(network=network, person=practitioner())
    client.force_login(membership.person)
    url = reverse("members:network_leave", args=[network.slug])
    assert "Leave the network" in client.get(url).content.decode()
    assert client.post(url)["Location"] == network.get_absolute_url()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert client.post(url).status_code == 404


@pytest.fixture
def admin_client_with_totp(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    return client


def test_coordinators_record_attendance_in_the_admin(admin_client_with_totp):
    network = NetworkFactory()
    member, other = practitioner(), practitioner()
    for person in (member, other):
        MembershipFactory(network=network, person=person)
    meeting = MeetingFactory(network=network)
    url = reverse("admin:members_networkmeeting_attendance", args=[meeting.pk])
    page = admin_client_with_totp.get(url)
    assert page.status_code == 200
    assert member.email in page.content.decode() or str(member) in page.content.decode()

    response = admin_client_with_totp.post(url, {"attendees": [member.pk]})
    assert response.status_code == 302
    assert list(MeetingAttendance.objects.values_list("person_id", flat=True)) == [member.pk]
    # Once attendance is recorded, the meeting's CPD fields are no longer edited in the form.
    change = admin_client_with_totp.get(reverse("admin:members_networkmeeting_change", args=[meeting.pk]))
    assert 'name="hours"' not in change.content.decode()


def test_coordinators_confirm_and_decline_requests_by_admin_actions(admin_client_with_totp):
    network = NetworkFactory()
    to_confirm = MembershipFactory(network=network, status=MembershipStatus.PENDING, route="declaration")
    to_decline = MembershipFactory(network=network, status=MembershipStatus.PENDING, route="declaration")
    changelist = reverse("admin:members_networkmembership_changelist")
    admin_client_with_totp.post(changelist, {"action": "confirm_selected", "_selected_action": [to_confirm.pk]})
    to_confirm.refresh_from_db()
    assert to_confirm.status == MembershipStatus.ACTIVE

    form = admin_client_with_totp.post(changelist, {"action": "decline_selected", "_selected_action": [to_decline.pk]})
    assert "Reason" in form.content.decode()
    admin_client_with_totp.post(
        changelist,
        {"action": "decline_selected", "_selected_action": [to_decline.pk], "apply": "1", "reason": "Not yet."},
    )
    to_decline.refresh_from_db()
    assert to_decline.status == MembershipStatus.DECLINED
    assert to_decline.decision_note == "Not yet."
    # The status is not editable on the membership's page.
    change = admin_client_with_totp.get(reverse("admin:members_networkmembership_change", args=[to_decline.pk]))
    assert 'name="status"' not in change.content.decode()


def test_plain_admin_edits_are_logged_with_old_and_new_values(admin_client_with_totp):
    from dit_portal.audit import entries_for
    from members.models import Network

    network = Network.objects.get(slug="north-west")
    url = reverse("admin:members_network_change", args=[network.pk])
    form = admin_client_with_totp.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "rhythm": "Every month",
            "contacts-TOTAL_FORMS": "3",
            "contacts-INITIAL_FORMS": "3",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000",
        }
    )
    for index, contact in enumerate(network.contacts.all()):
        data.update(
            {
                f"contacts-{index}-id": contact.pk,
                f"contacts-{index}-network": network.pk,
                f"contacts-{index}-name": contact.name,
                f"contacts-{index}-role": contact.role,
                f"contacts-{index}-email": contact.email,
                f"contacts-{index}-position": contact.position,
            }
        )
    response = admin_client_with_totp.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = [entry for entry in entries_for(network) if entry.action == "members.network.changed_in_admin"]
    assert entry.data == {"changed": {"rhythm": {"old": "Every two months", "new": "Every month"}}}


def test_a_meeting_someone_attended_cannot_be_deleted(admin_client_with_totp):
    network = NetworkFactory()
    member = practitioner()
    MembershipFactory(network=network, person=member)
    meeting = MeetingFactory(network=network)
    MeetingAttendance.objects.create(meeting=meeting, person=member)
    response = admin_client_with_totp.post(
        reverse("admin:members_networkmeeting_delete", args=[meeting.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert MeetingAttendance.objects.filter(meeting=meeting).exists()


def test_erasing_a_person_blanks_what_they_declared():
    from members.privacy import erase_person

    coordinator = UserFactory(role=roles.COORDINATOR)
    membership = MembershipFactory(
        status=MembershipStatus.PENDING, route="declaration", declaration="Seeing two training cases at my service."
    )
    erase_person(membership.person, by=coordinator, reason="Their request")
    membership.refresh_from_db()
    assert membership.declaration == ""
