"""The coordinators' side in the admin: the checklist and the Director's decision, reviews,
invoices and payments through forms, the fee schedule edited and logged."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import entries_for
from members import roles
from providers import services
from providers.enums import ApplicationStatus, FeeKind, InvoiceStatus, ProviderStatus, ReviewStatus
from providers.models import FeeScheduleEntry, Invoice, InvoiceCounter
from tests.factories import UserFactory, staff_with_totp

from .factories import GOOD_ROWS, afc_trainer, csv_file, days_ago, pdf_file, provider_user, report
from .test_application import application_data

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def application(db):
    return services.submit_application(
        application_data(), applicant=UserFactory(), evidence=[(6, pdf_file("plan.pdf"))]
    )


def test_the_application_page_shows_the_checklist_and_evidence(client, application):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    page = client.get(reverse("admin:providers_licenceapplication_change", args=[application.pk])).content.decode()
    assert "Based outside the UK" in page and "Met" in page
    assert "The named trainer has no account on the portal." in page
    assert "To judge" in page
    assert (
        reverse("providers:application_evidence", args=[application.provider_id, application.evidence.get().pk]) in page
    )
    assert "Only the Programme Director decides" in page
    evidence = client.get(
        reverse("providers:application_evidence", args=[application.provider_id, application.evidence.get().pk])
    )
    assert evidence.status_code == 200 and evidence["Content-Disposition"] == 'attachment; filename="plan.pdf"'


def test_the_director_decides_from_the_application_page(client, application, django_capture_on_commit_callbacks):
    decide = reverse("admin:providers_licenceapplication_decide", args=[application.pk])
    client.force_login(staff_with_totp(roles.COORDINATOR))
    response = client.post(decide, {"decision": "approve"}, follow=True)
    assert "Only the Programme Director decides on a provider's accreditation." in messages_of(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    client.force_login(staff_with_totp(roles.PROGRAMME_DIRECTOR))
    page = client.get(reverse("admin:providers_licenceapplication_change", args=[application.pk])).text
    assert 'name="override_reason"' in page and "Approving anyway overrides this criterion" in page
    response = client.post(decide, {"decision": "approve", "reason": "Strong plan."}, follow=True)
    assert any("give the reason for overriding" in message for message in messages_of(response))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"decision": "approve", "reason": "Strong plan.", "override_reason": "Known trainer."})
    application.refresh_from_db()
    assert application.override_reason == "Known trainer."
    assert application.status == ApplicationStatus.APPROVED
    assert application.provider.status == ProviderStatus.ACCREDITED
    assert [entry.action for entry in entries_for(application)][0] == "providers.application.approved"
    assert any("approved" in message.subject for message in mail.outbox)


def test_a_coordinator_approves_a_completer_list_from_its_page(client, provider, member):
    delivery = report(provider, by=member)
    completer_list = services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member)
    client.force_login(staff_with_totp(roles.COORDINATOR))
    page = client.get(reverse("admin:providers_completerlist_change", args=[completer_list.pk])).content.decode()
    assert "ana.sousa@example.pt" in page and "Approve" in page
    response = client.post(
        reverse("admin:providers_completerlist_review", args=[completer_list.pk]),
        {"decision": "approve", "confirmed": "yes"},
        follow=True,
    )
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.APPROVED
    assert completer_list.rows.filter(person__isnull=False).count() == 2
    assert any("approved" in message for message in messages_of(response))


def test_returning_a_supervision_record_needs_a_note(client, provider, member):
    record = services.upload_supervision_record(
        provider, afc_trainer=afc_trainer(), date=days_ago(1), hours=2, upload=pdf_file(), by=member
    )
    client.force_login(staff_with_totp(roles.COORDINATOR))
    url = reverse("admin:providers_supervisionrecord_review", args=[record.pk])
    response = client.post(url, {"decision": "return"}, follow=True)
    assert "Say why it is returned; the provider sees it." in messages_of(response)
    client.post(url, {"decision": "return", "note": "The record is not signed."})
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.REJECTED and record.review_note == "The record is not signed."


def test_approve_action_on_several_uploads(client, provider, member):
    records = [
        services.upload_supervision_record(
            provider, afc_trainer=afc_trainer(), date=days_ago(1), hours=1, upload=pdf_file(), by=member
        )
        for _ in range(2)
    ]
    client.force_login(staff_with_totp(roles.COORDINATOR))
    client.post(
        reverse("admin:providers_supervisionrecord_changelist"),
        {"action": "approve_selected", "index": 0, ACTION_CHECKBOX_NAME: [r.pk for r in records]},
    )
    assert {r.review_status for r in type(records[0]).objects.all()} == {ReviewStatus.APPROVED}


def invoice_form(**extra):
    supervision = FeeScheduleEntry.objects.get(kind=FeeKind.SUPERVISION_HOUR)
    return {
        "line-TOTAL_FORMS": "3",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "10",
        "line-0-fee": supervision.pk,
        "line-0-quantity": "6",
        "line-1-quantity": "1",
        "line-1-description": "Tutor flights London-Lisbon (at cost)",
        "line-1-amount": "318.40",
        "line-2-quantity": "1",
        "invoice-due_on": (timezone.localdate() + datetime.timedelta(days=45)).isoformat(),
        **extra,
    }


def test_an_invoice_is_previewed_then_issued_only_when_confirmed(client, provider, django_capture_on_commit_callbacks):
    member = provider_user(provider)
    client.force_login(staff_with_totp(roles.COORDINATOR))
    url = reverse("admin:providers_provider_invoice", args=[provider.pk])
    form = client.get(url).content.decode()
    default_due = timezone.localdate() + datetime.timedelta(days=30)
    assert f'value="{default_due.isoformat()}"' in form  # the payment terms, by default

    numbers_taken = list(InvoiceCounter.objects.values_list("name", "last_number"))
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post(url, invoice_form())
    assert preview.status_code == 200
    assert not Invoice.objects.exists() and mail.outbox == []
    assert list(InvoiceCounter.objects.values_list("name", "last_number")) == numbers_taken  # no number taken
    page = preview.content.decode()
    assert "Supervision on training and delivery with an AFC trainer (6 hours)" in page
    assert "Tutor flights London-Lisbon (at cost)" in page
    assert "GBP 1518.40" in page
    due = timezone.localdate() + datetime.timedelta(days=45)
    assert f"{due.day} {due:%B %Y}" in page

    # "No, change it" brings the form back as filled in, and issues nothing.
    again = client.post(url, invoice_form(edit="No, change it")).content.decode()
    assert "Tutor flights London-Lisbon (at cost)" in again and "See the invoice before issuing it" in again
    assert not Invoice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, invoice_form(confirmed="Yes, issue this invoice"))
    invoice = Invoice.objects.get()
    assert response["Location"] == reverse("admin:providers_invoice_change", args=[invoice.pk])
    assert invoice.total == Decimal("1518.40")
    assert invoice.lines.count() == 2
    assert invoice.due_on == due
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_the_preview_and_the_issued_invoice_agree(client, provider):
    """The confirmation page shows the invoice the service then issues, line by line."""
    client.force_login(staff_with_totp(roles.COORDINATOR))
    url = reverse("admin:providers_provider_invoice", args=[provider.pk])
    preview = client.post(url, invoice_form()).context["preview"]
    client.post(url, invoice_form(confirmed="yes"))
    invoice = Invoice.objects.get()
    assert [(line.description, net, vat) for line, net, vat in preview.lines] == [
        (line.description, line.net_amount, line.vat_amount) for line in invoice.lines.all()
    ]
    assert (preview.net_total, preview.vat_total, preview.total, preview.due_on, preview.bill_to) == (
        invoice.net_total,
        invoice.vat_total,
        invoice.total,
        invoice.due_on,
        invoice.bill_to,
    )


def test_a_due_date_before_the_issue_date_is_refused_by_the_form(client, provider):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    url = reverse("admin:providers_provider_invoice", args=[provider.pk])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    for extra in ({}, {"confirmed": "yes"}):
        response = client.post(url, invoice_form(**{"invoice-due_on": yesterday, **extra}))
        assert response.status_code == 200
        assert "The due date cannot be before the issue date" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_provider_that_is_not_invoiced_is_refused_at_the_preview(client, provider):
    services.change_provider_status(provider, ProviderStatus.WITHDRAWN, by=None)
    client.force_login(staff_with_totp(roles.COORDINATOR))
    response = client.post(reverse("admin:providers_provider_invoice", args=[provider.pk]), invoice_form())
    assert "it is not invoiced" in response.content.decode()
    assert "Yes, issue this invoice" not in response.content.decode()


def test_payments_and_credit_notes_from_the_invoice_page(client, provider):
    coordinator = staff_with_totp(roles.COORDINATOR)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:providers_invoice_payment", args=[invoice.pk])
    response = client.post(url, {"amount": "2000", "received_on": timezone.localdate()})
    assert "GBP 1,000.00 outstanding" in response.content.decode()
    client.post(url, {"amount": "1000.00", "received_on": timezone.localdate(), "reference": "SWIFT 42"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    response = client.post(reverse("admin:providers_invoice_credit", args=[invoice.pk]), {"reason": "Paid twice"})
    assert "is paid" in response.content.decode() or "payments recorded" in response.content.decode()


def test_the_payment_page_shows_total_paid_and_balance_and_the_list_says_part_paid(client, provider):
    coordinator = staff_with_totp(roles.COORDINATOR)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:providers_invoice_payment", args=[invoice.pk])
    client.post(url, {"amount": "400.00", "received_on": timezone.localdate()})
    page = client.get(url).content.decode()
    facts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))
    assert {key: facts[key] for key in ("Total", "Paid so far", "Balance due")} == {
        "Total": "GBP 1,000.00",
        "Paid so far": "GBP 400.00",
        "Balance due": "GBP 600.00",
    }
    listing = client.get(reverse("admin:providers_invoice_changelist")).content.decode()
    assert '<td class="field-payment_state">Part paid</td>' in listing and "600.00" in listing
    part_paid = client.get(reverse("admin:providers_invoice_changelist"), {"status__exact": InvoiceStatus.PART_PAID})
    assert list(part_paid.context["cl"].result_list) == [invoice]
    assert "?status__exact=part_paid" in listing  # the status filter offers it
    client.post(url, {"amount": "600.00", "received_on": timezone.localdate()})
    listing = client.get(reverse("admin:providers_invoice_changelist")).content.decode()
    assert '<td class="field-payment_state">Paid</td>' in listing


@pytest.mark.parametrize("invoices", [1, 8])
def test_the_invoice_list_costs_the_same_queries_with_payments(client, provider, invoices, django_assert_num_queries):
    coordinator = staff_with_totp(roles.COORDINATOR)
    for _ in range(invoices):
        invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
        services.record_payment(invoice, amount="100", received_on=timezone.localdate(), by=coordinator)
    client.force_login(coordinator)
    client.get(reverse("admin:providers_invoice_changelist"))
    with django_assert_num_queries(INVOICE_LIST_QUERIES):
        assert client.get(reverse("admin:providers_invoice_changelist")).status_code == 200


INVOICE_LIST_QUERIES = 10  # session, user, permissions, counts, the page with its paid totals


def test_an_issued_invoice_cannot_be_edited_in_the_admin(client, provider):
    coordinator = staff_with_totp(None, is_superuser=True)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("admin:providers_invoice_change", args=[invoice.pk]), {"total": "1"})
    assert response.status_code == 403
    assert Invoice.objects.get().total == Decimal("1000.00")


def test_fee_schedule_edits_are_logged_with_old_and_new_values(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    fee = FeeScheduleEntry.objects.get(kind=FeeKind.ANNUAL)
    client.post(
        reverse("admin:providers_feescheduleentry_change", args=[fee.pk]),
        {
            "description": fee.description,
            "amount": "1100.00",
            "unit": "",
            "minimum_quantity": "0",
            "vat_rate": "20.00",
        },
    )
    fee.refresh_from_db()
    assert fee.amount == Decimal("1100.00")
    entry = entries_for(fee).get()
    assert entry.action == "providers.feescheduleentry.changed_in_admin"
    assert entry.data["changed"]["amount"] == {"old": "1000.00", "new": "1100.00"}


def test_a_coordinator_invites_a_provider_user(client, provider, django_capture_on_commit_callbacks):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:providers_provider_invite", args=[provider.pk]), {"email": "new.user@lisbon.example"}
        )
    assert mail.outbox[-1].to == ["new.user@lisbon.example"]
    assert "/providers/invitations/" in mail.outbox[-1].body
    assert provider.invitations.get().email == "new.user@lisbon.example"


def test_status_actions_follow_the_transition_table(client, provider):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    changelist = reverse("admin:providers_provider_changelist")
    client.post(changelist, {"action": "withdraw", "index": 0, ACTION_CHECKBOX_NAME: [provider.pk]})
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.WITHDRAWN
    response = client.post(
        changelist, {"action": "reinstate", "index": 0, ACTION_CHECKBOX_NAME: [provider.pk]}, follow=True
    )
    assert any("cannot become accredited" in message for message in messages_of(response))
