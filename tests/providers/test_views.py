"""The provider's pages and the invitation, through the browser's requests."""

import datetime
from unittest import mock

import pytest
from django.core import mail, signing
from django.urls import reverse

from members import roles
from providers import services
from providers.models import CompleterList, ProviderInvitation, SupervisionRecord
from tests.factories import UserFactory, staff_with_totp

from .factories import GOOD_ROWS, afc_trainer, csv_file, days_ago, pdf_file, provider_trainer, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return staff_with_totp(roles.COORDINATOR)


def invite(provider, coordinator, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_provider_user(provider, email, by=coordinator)
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/providers/invitations/" in line)
    return invitation, link[link.index("/providers/") :].strip()


def test_an_invited_person_sets_a_password_and_signs_in_like_everyone(
    client, provider, coordinator, django_capture_on_commit_callbacks
):
    invitation, path = invite(provider, coordinator, "Joana@Lisbon-DIT.example", django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["joana@lisbon-dit.example"]
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"full_name": "Joana Lima", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
    )
    assert response.status_code == 302 and response["Location"] == provider.get_absolute_url()
    invitation.refresh_from_db()
    assert invitation.accepted_by.email == "joana@lisbon-dit.example"
    assert invitation.accepted_by.groups.filter(name=roles.PROVIDER_USER).exists()
    client.logout()
    assert client.login(email="joana@lisbon-dit.example", password="a-long-pass-phrase-42")
    assert client.get(provider.get_absolute_url()).status_code == 200
    # The link works once.
    client.logout()
    assert client.get(path).status_code == 404


def test_a_weak_or_mismatched_password_is_refused(client, provider, coordinator, django_capture_on_commit_callbacks):
    _invitation, path = invite(provider, coordinator, "joana@lisbon-dit.example", django_capture_on_commit_callbacks)
    response = client.post(path, {"full_name": "Joana Lima", "password1": "short", "password2": "other"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.context["form"].errors["password2"]
    response = client.post(path, {"full_name": "Joana Lima", "password1": "password", "password2": "password"})
    assert response.context["form"].errors["password1"]
    assert not ProviderInvitation.objects.get().accepted_at


def test_a_forged_or_expired_invitation_answers_404(client, provider, coordinator, django_capture_on_commit_callbacks):
    invitation, path = invite(provider, coordinator, "joana@lisbon-dit.example", django_capture_on_commit_callbacks)
    assert client.get(path[:-3] + "xyz/").status_code == 404
    forged = signing.dumps({"invitation": invitation.pk, "email": "eve@example.org"}, salt="providers.invitation")
    assert client.get(reverse("providers:accept_invitation", args=[forged])).status_code == 404
    later = datetime.datetime.now().timestamp() + 15 * 24 * 3600
    with mock.patch("time.time", return_value=later):
        response = client.get(path)
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_an_existing_account_logs_in_to_accept_and_only_the_invited_address_may(
    client, provider, coordinator, django_capture_on_commit_callbacks
):
    known = UserFactory(email="joana@lisbon-dit.example")
    _invitation, path = invite(provider, coordinator, known.email, django_capture_on_commit_callbacks)
    assert "Sign in</a> with this address" in client.get(path).content.decode()
    client.force_login(UserFactory(email="someone.else@example.org"))
    client.post(path)
    assert not provider.memberships.filter(user__email="someone.else@example.org").exists()
    client.force_login(known)
    assert client.post(path).status_code == 302
    assert provider.memberships.filter(user=known).exists()


def test_the_dashboard_shows_licence_requirements_invoices_and_uploads(client, provider, member, coordinator):
    report(provider, by=member)
    services.issue_invoice(provider, [services.fee_line("annual")], by=coordinator)
    client.force_login(member)
    page = client.get(provider.get_absolute_url()).content.decode()
    for text in (
        "Accredited",
        "Licence period",
        "At least two DIT trainers within 2 years of accreditation",
        "hours of supervision with an AFC trainer",
        "Accreditation fee for",
        "network event",
        "keeps DIT practitioner status",
        "INV-",
    ):
        assert text in page, text


def test_completer_upload_shows_every_error_then_saves_the_fixed_list(client, provider, member):
    delivery = report(provider, by=member)
    client.force_login(member)
    url = reverse("providers:upload_completers", args=[provider.pk])
    bad = csv_file([GOOD_ROWS[0], ["Rui Costa", "rui.costa", "Psychotherapist", "", "completed"], GOOD_ROWS[0]])
    response = client.post(url, {"delivery": delivery.pk, "file": bad})
    assert response.status_code == 200
    errors = [str(error) for error in response.context["row_errors"]]
    assert errors == [
        "Row 3, column “email”: “rui.costa” is not an e-mail address.",
        "Row 4, column “email”: repeats row 2 (ana.sousa@example.pt).",
    ]
    assert "rui.costa" in response.content.decode()
    assert not CompleterList.objects.exists()
    response = client.post(url, {"delivery": delivery.pk, "file": csv_file(GOOD_ROWS)})
    completer_list = CompleterList.objects.get()
    assert response["Location"] == reverse("providers:completer_list", args=[provider.pk, completer_list.pk])


def test_supervision_upload_through_the_form(client, provider, member):
    client.force_login(member)
    trainer = afc_trainer()
    url = reverse("providers:upload_supervision", args=[provider.pk])
    response = client.post(url, {"afc_trainer": trainer.pk, "date": days_ago(-1), "hours": "0", "record": pdf_file()})
    assert set(response.context["form"].errors) == {"date", "hours"}
    response = client.post(url, {"afc_trainer": trainer.pk, "date": days_ago(3), "hours": "2.5", "record": pdf_file()})
    assert response.status_code == 302
    record = SupervisionRecord.objects.get()
    download = client.get(reverse("providers:supervision_file", args=[provider.pk, record.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="record.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_reporting_a_training_through_the_form(client, provider, member):
    trainer = provider_trainer(provider)
    client.force_login(member)
    url = reverse("providers:report_delivery", args=[provider.pk])
    data = {
        "course": 0,
        "label": "Lisbon 2027",
        "dates": "2027-03-01\n2027-03-02",
        "country": "FR",
        "mode": "in_person",
        "venue": "Lisbon",
        "participants": 25,
        "trainers": [trainer.pk],
    }
    from trainings.models import Course

    data["course"] = Course.objects.get(slug="5-day-dit-training").pk
    response = client.post(url, data)
    errors = response.context["form"].errors
    assert "country" in errors and "more than 20 participants" in str(errors["trainers"])
    data.update(country="PT", participants=12, centre_trainer=afc_trainer().pk)
    assert client.post(url, data).status_code == 302
    assert provider.deliveries.get().country.code == "PT"


def test_the_provider_sees_each_invoices_balance_and_a_part_paid_one_overdue(client, provider, member, coordinator):
    from decimal import Decimal

    today = datetime.date.today()
    overdue = services.issue_invoice(
        provider, [services.fee_line("annual")], by=coordinator, due_on=today - datetime.timedelta(days=0)
    )
    services.record_payment(overdue, amount=Decimal("100.00"), received_on=today, by=coordinator)
    client.force_login(member)
    with mock.patch("django.utils.timezone.localdate", return_value=today + datetime.timedelta(days=1)):
        page = client.get(reverse("providers:invoices", args=[provider.pk])).content.decode()
    overdue.refresh_from_db()
    assert overdue.get_status_display() in page  # part paid
    assert f"{overdue.total - Decimal('100.00')}" in page
    assert "Overdue</span>" in page
    page_now = client.get(reverse("providers:invoices", args=[provider.pk])).content.decode()
    assert "Overdue</span>" not in page_now  # due today: not overdue yet
