"""The pages: a practitioner's own ledger, a supervisor's own supervisees, the directory."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from supervision.enums import CasePurpose, RecordingRating, SessionStatus
from supervision.models import Case, SupervisionSession, SupervisorListing
from supervision.views import CONTACT_LIMIT
from tests.factories import UserFactory

from .factories import CaseFactory, ListingFactory, RecordingFactory, SessionFactory, days_ago

pytestmark = pytest.mark.django_db


# The practitioner's ledger --------------------------------------------------------------


def test_the_ledger_shows_my_records_only(client, practitioner, supervisor):
    CaseFactory(practitioner=practitioner, code="MINE-1", supervisor=supervisor)
    CaseFactory(code="THEIRS-1")
    SessionFactory(
        practitioner=practitioner, supervisor=supervisor, status=SessionStatus.DISPUTED, dispute_reason="Wrong week."
    )
    client.force_login(practitioner)
    response = client.get(reverse("supervision:ledger"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "MINE-1" in content and "THEIRS-1" not in content
    assert "Disputed" in content and "Wrong week." in content


def test_empty_ledger_says_what_to_do(client, practitioner):
    client.force_login(practitioner)
    content = client.get(reverse("supervision:ledger")).content.decode()
    assert "No cases yet" in content
    assert "No supervision sessions logged yet" in content


def test_adding_a_case_through_the_form(client, practitioner, supervisor):
    client.force_login(practitioner)
    data = {
        "code": "C-2026-01",
        "purpose": CasePurpose.PRACTITIONER_TRAINING,
        "supervisor": supervisor.pk,
        "started_on": days_ago(20).isoformat(),
        "seen_in_person": "on",
    }
    response = client.post(reverse("supervision:case_add"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:case_detail", args=[case.pk])
    assert (case.practitioner, case.supervisor, case.seen_in_person) == (practitioner, supervisor, True)


def test_a_case_form_refuses_a_name_and_shows_why(client, practitioner, supervisor):
    client.force_login(practitioner)
    response = client.post(
        reverse("supervision:case_add"),
        {"code": "Jane Smith", "purpose": CasePurpose.ORDINARY, "started_on": days_ago(2).isoformat()},
    )
    assert response.status_code == 200
    assert "looks like a person&#x27;s name" in response.content.decode()
    assert not Case.objects.exists()


def test_the_session_form_shows_each_rule(client, practitioner, supervisor, django_capture_on_commit_callbacks):
    client.force_login(practitioner)
    url = reverse("supervision:session_add")
    base = {"supervisor": supervisor.pk, "date": days_ago(1).isoformat(), "format": "individual", "kind": "formal"}
    for hours, message in [("0", "Hours must be more than 0."), ("8.01", "cannot be longer than 8 hours")]:
        response = client.post(url, {**base, "hours": hours})
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post(url, {**base, "hours": "1", "date": days_ago(-1).isoformat()})
    assert "in the future" in response.content.decode()
    assert not SupervisionSession.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**base, "hours": "8"})
    assert response.status_code == 302
    assert SupervisionSession.objects.get().hours == Decimal("8")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [supervisor.email]


def test_the_session_form_lists_supervisors_and_my_cases_only(client, practitioner, supervisor):
    CaseFactory(practitioner=practitioner, code="MINE-2")
    CaseFactory(code="THEIRS-2")
    bystander = UserFactory(full_name="Barry Bystander")
    client.force_login(practitioner)
    content = client.get(reverse("supervision:session_add")).content.decode()
    assert "Sam Supervisor" in content and "Barry Bystander" not in content
    assert supervisor.email not in content  # members do not see one another's addresses
    assert "MINE-2" in content and "THEIRS-2" not in content
    response = client.post(
        reverse("supervision:session_add"),
        {"supervisor": bystander.pk, "date": days_ago(1).isoformat(), "hours": "1", "format": "group", "kind": "peer"},
    )
    assert "Select a valid choice" in response.content.decode()


def test_another_practitioners_case_answers_404(client, practitioner):
    case = CaseFactory()
    client.force_login(practitioner)
    for name in ("case_detail", "case_hours", "case_recording", "case_end"):
        assert client.get(reverse(f"supervision:{name}", args=[case.pk])).status_code == 404
    for name in ("case_hours", "case_recording", "case_end"):
        assert client.post(reverse(f"supervision:{name}", args=[case.pk]), {}).status_code == 404


def test_logging_hours_and_a_recording_on_my_case(client, practitioner, supervisor):
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor, started_on=days_ago(30))
    client.force_login(practitioner)
    # The page says how the supervisor receives the recording: the portal only logs it.
    page = " ".join(client.get(reverse("supervision:case_detail", args=[case.pk])).text.split())
    assert "The portal does not hold recordings of sessions: it only logs that one was made." in page
    assert f"Give the recording itself to {supervisor}" in page and "never by ordinary e-mail" in page
    response = client.post(
        reverse("supervision:case_hours", args=[case.pk]), {"date": days_ago(2).isoformat(), "hours": "1.5"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("supervision:case_hours", args=[case.pk]), {"date": days_ago(31).isoformat(), "hours": "1"}
    )
    assert "before the case&#x27;s first session" in response.content.decode()
    response = client.post(
        reverse("supervision:case_recording", args=[case.pk]),
        {"phase": "initial", "session_date": days_ago(3).isoformat()},
    )
    assert response.status_code == 302
    assert case.therapy_hours.get().hours == Decimal("1.5")
    assert case.recordings.get().rating == RecordingRating.AWAITING


def test_adding_cpd(client, practitioner):
    client.force_login(practitioner)
    response = client.post(
        reverse("supervision:cpd_add"),
        {"title": "CPD Day 2026", "kind": "cpd_day", "date": days_ago(5).isoformat(), "hours": "6"},
    )
    assert response.status_code == 302
    assert practitioner.cpd_records.get().hours == Decimal("6")


# The supervisor's page ------------------------------------------------------------------


def test_the_supervisor_sees_their_own_supervisees_work_only(client, practitioner, supervisor, other_supervisor):
    SessionFactory(practitioner=practitioner, supervisor=supervisor, date=days_ago(4))
    SessionFactory(practitioner=UserFactory(full_name="Hidden Person"), supervisor=other_supervisor)
    RecordingFactory(case=CaseFactory(practitioner=practitioner, supervisor=supervisor, code="REC-1"))
    RecordingFactory(case=CaseFactory(supervisor=other_supervisor, code="REC-2"))
    CaseFactory(practitioner=practitioner, supervisor=supervisor, code="END-1", ended_on=days_ago(1))
    client.force_login(supervisor)
    content = client.get(reverse("supervision:supervisor")).content.decode()
    assert "Priya Practitioner" in content
    assert "Hidden Person" not in content
    assert "REC-1" in content and "REC-2" not in content
    assert "END-1" in content


def test_confirm_and_dispute_only_by_the_named_supervisor(client, practitioner, supervisor, other_supervisor):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    confirm = reverse("supervision:session_confirm", args=[session.pk])
    dispute = reverse("supervision:session_dispute", args=[session.pk])
    for someone in (other_supervisor, practitioner):
        client.force_login(someone)
        assert client.post(confirm).status_code == 404
        assert client.get(dispute).status_code == 404
        assert client.post(dispute, {"reason": "No."}).status_code == 404
    session.refresh_from_db()
    assert session.status == SessionStatus.PENDING
    client.force_login(supervisor)
    assert client.get(confirm).status_code == 405
    response = client.post(confirm, follow=True)
    assert "You confirmed Priya Practitioner" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    response = client.post(dispute, {"reason": "Changed my mind."}, follow=True)
    assert "already been confirmed" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED


def test_disputing_through_the_page(client, practitioner, supervisor, django_capture_on_commit_callbacks):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    client.force_login(supervisor)
    url = reverse("supervision:session_dispute", args=[session.pk])
    assert "Why do you dispute" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "We met for one hour, not two."})
    session.refresh_from_db()
    assert session.status == SessionStatus.DISPUTED
    assert mail.outbox[-1].to == [practitioner.email]


def test_rating_a_recording_and_confirming_a_case(client, practitioner, supervisor, other_supervisor):
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor, ended_on=days_ago(1))
    recording = RecordingFactory(case=case)
    rate = reverse("supervision:recording_rate", args=[recording.pk])
    confirm = reverse("supervision:case_confirm_close", args=[case.pk])
    client.force_login(other_supervisor)
    assert client.get(rate).status_code == 404
    assert client.post(confirm).status_code == 404
    client.force_login(supervisor)
    client.post(rate, {"rating": "not_yet", "feedback": "Try again with the ending."})
    recording.refresh_from_db()
    assert recording.rating == RecordingRating.NOT_YET
    client.post(rate, {"rating": "pass"})
    recording.refresh_from_db()
    assert recording.rating == RecordingRating.PASS
    assert client.get(rate).status_code == 302  # a pass is final
    client.post(confirm)
    case.refresh_from_db()
    assert case.closely_supervised


def test_a_supervisees_page_is_for_their_supervisor_only(client, practitioner, supervisor, other_supervisor):
    SessionFactory(practitioner=practitioner, supervisor=supervisor)
    url = reverse("supervision:supervisee", args=[practitioner.pk])
    client.force_login(other_supervisor)
    assert client.get(url).status_code == 404
    client.force_login(supervisor)
    assert "Priya Practitioner" in client.get(url).content.decode()


# The directory --------------------------------------------------------------------------


def test_the_directory_lists_accredited_supervisors_who_opted_in(client):
    shown = ListingFactory(display_name="Listed Lucy", country="GB", region="Greater Manchester")
    ListingFactory(display_name="Hidden Hannah", is_listed=False)
    lapsed = ListingFactory(display_name="Lapsed Lena")
    set_credential_status(lapsed.supervisor, CredentialKind.SUPERVISOR, CredentialStatus.LAPSED)
    ListingFactory(display_name="Irish Iris", country="IE", region="Dublin")
    content = client.get(reverse("supervision:directory")).content.decode()
    assert "Listed Lucy" in content and "Irish Iris" in content
    assert "Hidden Hannah" not in content and "Lapsed Lena" not in content
    assert shown.supervisor.email not in content
    content = client.get(reverse("supervision:directory"), {"country": "IE"}).content.decode()
    assert "Irish Iris" in content and "Listed Lucy" not in content
    content = client.get(reverse("supervision:directory"), {"region": "manchester"}).content.decode()
    assert "Listed Lucy" in content and "Irish Iris" not in content
    content = client.get(reverse("supervision:directory"), {"country": "GB", "region": "Cornwall"}).content.decode()
    assert "No listed supervisor matches your search" in content
    # The country filter offers the countries that have listed supervisors.
    choices = dict(client.get(reverse("supervision:directory")).context["form"].fields["country"].choices)
    assert choices == {"": "Any country", "IE": "Ireland", "GB": "United Kingdom"}


def test_the_directory_filters_by_modality(client):
    ListingFactory(display_name="Online Olga", modality="online")
    ListingFactory(display_name="Both Bob", modality="both")
    ListingFactory(display_name="Room Rita", modality="in_person")
    content = client.get(reverse("supervision:directory"), {"modality": "in_person"}).content.decode()
    assert "Room Rita" in content and "Both Bob" in content and "Online Olga" not in content


def test_the_directory_is_paginated(client):
    for number in range(25):
        ListingFactory(display_name=f"Supervisor {number:02d}")
    first = client.get(reverse("supervision:directory")).content.decode()
    assert "Supervisor 19" in first and "Supervisor 20" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("supervision:directory"), {"page": 2}).content.decode()
    assert "Supervisor 20" in second


def test_contacting_a_supervisor_emails_them_without_showing_their_address(client, django_capture_on_commit_callbacks):
    listing = ListingFactory(display_name="Listed Lucy")
    url = reverse("supervision:contact", args=[listing.pk])
    page = client.get(url).content.decode()
    assert listing.supervisor.email not in page
    data = {"name": "Vera Visitor", "email": "vera@example.com", "message": "Do you have space in May?"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert "Your message has been sent to Listed Lucy" in response.content.decode()
    assert listing.supervisor.email not in response.content.decode()
    assert "We have e-mailed you a confirmation" in response.content.decode()
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [listing.supervisor.email]
    assert "vera@example.com" in mail.outbox[0].body and "Do you have space in May?" in mail.outbox[0].body
    # The visitor's acknowledgement: what happens next, no copy of the text, no address of the supervisor.
    acknowledgement = mail.outbox[1]
    assert acknowledgement.to == ["vera@example.com"]
    assert acknowledgement.subject.endswith("Your message to Listed Lucy has been forwarded")
    html = acknowledgement.alternatives[0][0]
    for part in (acknowledgement.body, html):
        assert "forwarded to them on" in part and "their own mailbox" in part
        assert "Do you have space in May?" not in part
        assert listing.supervisor.email not in part


def test_the_honeypot_sends_nothing(client):
    listing = ListingFactory()
    data = {"name": "Bot", "email": "bot@example.com", "message": "Buy", "website": "http://spam.example"}
    response = client.post(reverse("supervision:contact", args=[listing.pk]), data)
    assert response.status_code == 302
    assert not mail.outbox


def test_contact_is_rate_limited(client, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    url = reverse("supervision:contact", args=[listing.pk])
    data = {"name": "Vera Visitor", "email": "vera@example.com", "message": "Hello"}
    for _ in range(CONTACT_LIMIT):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 429
    assert "several messages in a short time" in response.content.decode()
    assert len(mail.outbox) == 2 * CONTACT_LIMIT  # each message and its acknowledgement


def test_unlisted_supervisors_cannot_be_contacted(client):
    listing = ListingFactory(is_listed=False)
    assert client.get(reverse("supervision:contact", args=[listing.pk])).status_code == 404


def test_a_supervisor_opts_in_from_their_own_page(client, supervisor):
    client.force_login(supervisor)
    url = reverse("supervision:listing")
    assert 'value="Sam Supervisor"' in client.get(url).content.decode()
    data = {"is_listed": "on", "display_name": "Dr Sam S.", "country": "GB", "region": "Leeds", "modality": "both"}
    assert client.post(url, data).status_code == 302
    listing = SupervisorListing.objects.get(supervisor=supervisor)
    assert listing.is_listed and listing.region == "Leeds"
    assert "Dr Sam S." in client.get(reverse("supervision:directory")).content.decode()


def test_only_supervisors_have_a_directory_entry(client, practitioner, supervisor):
    client.force_login(practitioner)
    assert client.get(reverse("supervision:listing")).status_code == 404
    assert reverse("supervision:listing") not in client.get(reverse("supervision:supervisor")).content.decode()
    client.force_login(supervisor)
    assert reverse("supervision:listing") in client.get(reverse("supervision:supervisor")).content.decode()


def test_withdrawing_a_session_from_the_ledger(client, practitioner, supervisor):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    url = reverse("supervision:session_withdraw", args=[session.pk])
    client.force_login(supervisor)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(practitioner)
    assert url in client.get(reverse("supervision:ledger")).content.decode()
    assert "Withdraw a supervision session?" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "has been withdrawn" in response.content.decode()
    assert url not in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.WITHDRAWN
    client.force_login(supervisor)
    assert "No sessions are waiting for you." in client.get(reverse("supervision:supervisor")).content.decode()
