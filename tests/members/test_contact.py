"""The contact page: stored, e-mailed to the coordinators, rate-limited, a honeypot, and
never showing anyone's address."""

import pytest
from django.core import mail
from django.urls import reverse

from dit_portal.models import AuditEntry
from members import roles
from members.models import ContactMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinators():
    return [UserFactory(role=roles.COORDINATOR, email=f"coordinator{n}@centre.example") for n in (1, 2)]


def message(**overrides):
    return {
        "name": "Vera Visitor",
        "email": "Vera@Example.org",
        "topic": "training",
        "message": "Is there a funded place on the 5-day training?",
        **overrides,
    }


def test_the_page_names_the_centre_and_shows_no_address(client, coordinators):
    html = client.get(reverse("contact")).text
    assert "Anna Freud Centre" in html
    assert "@" not in html.replace('type="email"', "")
    for coordinator in coordinators:
        assert coordinator.email not in html


def test_a_message_is_stored_and_e_mailed_to_the_coordinators(client, coordinators, django_capture_on_commit_callbacks):
    inactive = UserFactory(role=roles.COORDINATOR, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contact"), message(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("contact_sent")
    assert "your message has been sent" in response.text
    stored = ContactMessage.objects.get()
    assert (stored.name, stored.email, stored.topic) == ("Vera Visitor", "vera@example.org", "training")
    (sent,) = mail.outbox
    assert sorted(sent.to) == sorted(c.email for c in coordinators)
    assert inactive.email not in sent.to
    assert sent.subject == "Contact form: A training or an application, from Vera Visitor"
    assert "Is there a funded place on the 5-day training?" in sent.body
    assert "Reply to vera@example.org" in sent.body
    assert sent.reply_to == ["vera@example.org"]  # a coordinator's "Reply" goes to the sender
    assert AuditEntry.objects.filter(action="members.contact.received").count() == 1


def test_a_signed_in_person_is_prefilled_and_linked(client, coordinators):
    member = UserFactory(full_name="Mia Member", email="mia@example.org")
    client.force_login(member)
    form = client.get(reverse("contact")).context["form"]
    assert form.initial == {"name": "Mia Member", "email": "mia@example.org"}
    client.post(reverse("contact"), message(name="Mia Member", email="mia@example.org"))
    assert ContactMessage.objects.get().sender == member


def test_missing_fields_are_explained_and_nothing_is_stored(client, coordinators):
    response = client.post(reverse("contact"), message(message="", email="not-an-address"))
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Enter a valid email address." in response.text
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_catches_robots_quietly(client, coordinators):
    response = client.post(reverse("contact"), message(website="http://spam.example"))
    assert response.status_code == 302 and response.url == reverse("contact_sent")
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client):
    html = client.get(reverse("contact")).text
    assert '<div class="contact-extra" aria-hidden="true">' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_messages_are_rate_limited_per_address(client, coordinators, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contact": "2/h/ip"}
    for _ in range(2):
        assert client.post(reverse("contact"), message()).status_code == 302
    refused = client.post(reverse("contact"), message(message="A third one"))
    assert refused.status_code == 429
    assert "Please wait an hour" in refused.text
    assert ContactMessage.objects.count() == 2
    # Another visitor is not limited by the first one's messages.
    assert client.post(reverse("contact"), message(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_erasing_the_sender_blanks_their_messages(coordinators):
    from members.privacy import erase_person
    from members.services import send_contact_message

    member = UserFactory(full_name="Mia Member", email="mia@example.org")
    contact = send_contact_message(
        name="Mia Member", email="mia@example.org", topic="other", message="My story", sender=member
    )
    erase_person(member, by=coordinators[0], reason="Asked on 1 May")
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.message) == ("", "", "")
