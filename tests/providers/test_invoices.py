"""Fees and invoices: the seeded schedule, Decimal money, numbering, immutability, credit
notes, payments, overdue, and the PDF read back as text."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dit_portal.models import AuditEntry
from members import roles
from providers import selectors, services
from providers.enums import INVOICE_STATUS_CHANGES, FeeKind, InvoiceKind, InvoiceStatus
from providers.models import FeeScheduleEntry, ImmutableInvoiceError, Invoice, InvoiceCounter, InvoiceLine
from tests.factories import staff_with_totp

from .factories import ProviderFactory, provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return staff_with_totp(roles.COORDINATOR)


def test_the_fee_schedule_is_seeded_with_the_published_amounts():
    fees = {fee.kind: fee for fee in FeeScheduleEntry.objects.all()}
    assert fees[FeeKind.INITIAL_ACCREDITATION].amount == Decimal("1000.00")
    assert fees[FeeKind.FIRST_TRAINING].amount == Decimal("5500.00")
    assert fees[FeeKind.ANNUAL].amount == Decimal("1000.00")
    assert fees[FeeKind.SUPERVISION_HOUR].amount == Decimal("200.00")
    assert fees[FeeKind.SUPERVISION_HOUR].minimum_quantity == Decimal("6.00")
    assert {fee.currency for fee in fees.values()} == {"GBP"}


def test_an_invoice_sums_lines_and_vat_in_decimal(provider, coordinator):
    supervision = FeeScheduleEntry.objects.get(kind=FeeKind.SUPERVISION_HOUR)
    supervision.vat_applies = True
    supervision.save()
    lines = [
        services.fee_line(FeeKind.FIRST_TRAINING),
        services.fee_line(FeeKind.SUPERVISION_HOUR, Decimal("6")),
        services.LineInput("Tutor travel, Lisbon (at cost)", Decimal("1"), Decimal("412.37")),
    ]
    invoice = services.issue_invoice(provider, lines, by=coordinator)
    assert invoice.net_total == Decimal("7112.37")
    assert invoice.vat_total == Decimal("240.00")
    assert invoice.total == Decimal("7352.37")
    assert isinstance(invoice.total, Decimal)
    assert invoice.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert [line.description for line in invoice.lines.all()] == [
        "Initial 5-day DIT training co-delivered with a Centre-approved trainer (tutor expenses invoiced at cost)",
        "Supervision on training and delivery with an AFC trainer (6 hours)",
        "Tutor travel, Lisbon (at cost)",
    ]


def test_a_later_fee_change_reaches_new_invoices_only(provider, coordinator):
    first = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    FeeScheduleEntry.objects.filter(kind=FeeKind.ANNUAL).update(amount=Decimal("1100.00"))
    second = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    first.refresh_from_db()
    assert (first.total, second.total) == (Decimal("1000.00"), Decimal("1100.00"))


def test_numbers_follow_one_another_across_providers_and_credit_notes(coordinator):
    one, other = ProviderFactory(), ProviderFactory()
    first = services.issue_invoice(one, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    second = services.issue_invoice(other, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    credit = services.issue_credit_note(first, reason="Issued twice", by=coordinator)
    assert [first.number, second.number, credit.number] == [first.number, first.number + 1, first.number + 2]
    assert first.display_number == f"INV-{first.number:06d}"
    assert credit.display_number.startswith("CN-")


def test_an_issued_invoice_and_its_lines_never_change(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    invoice.total = Decimal("1.00")
    with pytest.raises(ImmutableInvoiceError):
        invoice.save()
    with pytest.raises(ImmutableInvoiceError):
        invoice.save(update_fields=["total"])
    line = invoice.lines.get()
    line.unit_price = Decimal("1.00")
    with pytest.raises(ImmutableInvoiceError):
        line.save()
    with pytest.raises(ImmutableInvoiceError):
        invoice.delete()
    assert Invoice.objects.get().total == Decimal("1000.00")
    assert InvoiceLine.objects.get().unit_price == Decimal("1000.00")


def test_a_credit_note_corrects_an_invoice_which_becomes_void(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    with pytest.raises(services.ProviderError, match="Say why"):
        services.issue_credit_note(invoice, reason="", by=coordinator)
    credit = services.issue_credit_note(invoice, reason="Wrong year", by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.credits == invoice
    assert credit.total == Decimal("-1000.00")
    assert "Reason: Wrong year" in credit.note
    with pytest.raises(services.ProviderError):
        services.issue_credit_note(invoice, reason="again", by=coordinator)


def test_a_part_paid_invoice_cannot_be_credited(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    services.record_payment(invoice, amount=Decimal("250.00"), received_on=timezone.localdate(), by=coordinator)
    with pytest.raises(services.ProviderError, match="has payments recorded"):
        services.issue_credit_note(invoice, reason="Wrong year", by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID and invoice.balance == Decimal("750.00")
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_the_database_refuses_changes_to_an_issued_invoice_that_bypass_save(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    invoice.total = Decimal("1.00")
    attempts = [
        lambda: Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00")),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(due_on=invoice.due_on + datetime.timedelta(days=90)),
        lambda: Invoice.objects.bulk_update([invoice], ["total"]),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(issued_by=staff_with_totp(roles.COORDINATOR)),
        lambda: Invoice.objects.filter(pk=invoice.pk)._raw_delete(Invoice.objects.db),
        lambda: InvoiceLine.objects.filter(invoice=invoice).update(unit_price=Decimal("1.00")),
        lambda: InvoiceLine.objects.filter(invoice=invoice)._raw_delete(InvoiceLine.objects.db),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="issued|never change"), transaction.atomic():
            attempt()
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("1000.00")
    assert InvoiceLine.objects.get(invoice=invoice).unit_price == Decimal("1000.00")
    # what may change still changes: the status, the payment date, the issuer set to none
    assert Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.OVERDUE, issued_by=None) == 1


def test_payments_settle_an_invoice_in_parts(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    today = timezone.localdate()
    services.record_payment(invoice, amount=Decimal("400.00"), received_on=today, reference="SWIFT 1", by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID and invoice.balance == Decimal("600.00")
    assert invoice.paid_on is None
    with pytest.raises(services.ProviderError, match="outstanding"):
        services.record_payment(invoice, amount=Decimal("600.01"), received_on=today, by=coordinator)
    services.record_payment(invoice, amount=Decimal("100.00"), received_on=today, by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID and invoice.balance == Decimal("500.00")
    services.record_payment(invoice, amount=Decimal("500.00"), received_on=today, by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_on == today
    changes = AuditEntry.objects.filter(action="providers.invoice.status_changed").order_by("pk")
    assert [(entry.data["from"], entry.data["to"]) for entry in changes] == [
        ("issued", "part_paid"),
        ("part_paid", "paid"),
    ]
    assert changes[0].data["balance"] == "600.00" and changes[0].data["reference"] == "SWIFT 1"
    # the payment in between, which changed no status, has its own entry
    assert AuditEntry.objects.get(action="providers.invoice.part_paid").data["balance"] == "500.00"
    with pytest.raises(services.ProviderError, match="no payment is due"):
        services.record_payment(invoice, amount=Decimal("1"), received_on=today, by=coordinator)


@pytest.mark.parametrize(
    ("amount", "days", "message"),
    [(Decimal("0"), 0, "above zero"), (Decimal("-5"), 0, "above zero"), (Decimal("10"), -1, "future")],
)
def test_a_bad_payment_is_refused(provider, coordinator, amount, days, message):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    received = timezone.localdate() - datetime.timedelta(days=days)
    with pytest.raises(services.ProviderError, match=message):
        services.record_payment(invoice, amount=amount, received_on=received, by=coordinator)
    assert not invoice.payments.exists()


def test_payment_terms_are_an_editable_threshold(provider, coordinator):
    from tests.accreditation.helpers import set_threshold

    set_threshold("provider_payment_terms_days", 45)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    assert invoice.due_on == timezone.localdate() + datetime.timedelta(days=45)


def test_unpaid_invoices_past_due_become_overdue_once(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    later = invoice.due_on + datetime.timedelta(days=1)
    assert services.mark_overdue_invoices(today=invoice.due_on) == 0
    assert services.mark_overdue_invoices(today=later) == 1
    assert services.mark_overdue_invoices(today=later) == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERDUE
    services.record_payment(invoice, amount=invoice.total, received_on=timezone.localdate(), by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_an_overdue_invoice_part_paid_becomes_part_paid_and_stays_overdue(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    later = invoice.due_on + datetime.timedelta(days=1)
    services.mark_overdue_invoices(today=later)
    services.record_payment(invoice, amount=Decimal("300.00"), received_on=timezone.localdate(), by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID
    # the scheduled job leaves it part paid; every reader of "overdue" still counts it
    assert services.mark_overdue_invoices(today=later) == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID
    assert list(selectors.overdue_invoices(later)) == [invoice]
    assert list(selectors.overdue_invoices(invoice.due_on)) == []


def test_part_paid_is_set_only_by_a_payment(provider, coordinator):
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    assert InvoiceStatus.PART_PAID in INVOICE_STATUS_CHANGES[InvoiceStatus.ISSUED]
    assert INVOICE_STATUS_CHANGES[InvoiceStatus.PART_PAID] == (InvoiceStatus.PAID,)
    services.mark_overdue_invoices(today=invoice.due_on + datetime.timedelta(days=1))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERDUE  # nothing paid: overdue, not part paid
    services.record_payment(invoice, amount=Decimal("1.00"), received_on=timezone.localdate(), by=coordinator)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID
    with pytest.raises(services.ProviderError, match="payments recorded"):
        services.issue_credit_note(invoice, reason="Wrong year", by=coordinator)


def test_the_database_triggers_let_the_payment_service_store_part_paid(provider, coordinator):
    """The issued-invoice triggers (providers 0004) allow the status change; the amounts stay
    protected. On PostgreSQL the service's own UPDATE goes through the trigger."""
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    services.record_payment(invoice, amount=Decimal("10.00"), received_on=timezone.localdate(), by=coordinator)
    assert Invoice.objects.values_list("status", flat=True).get(pk=invoice.pk) == InvoiceStatus.PART_PAID
    with pytest.raises(IntegrityError, match="issued"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.PAID, total=Decimal("10.00"))
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("1000.00")


def test_the_due_date_is_chosen_and_never_before_the_issue_date(provider, coordinator):
    today = timezone.localdate()
    chosen = today + datetime.timedelta(days=60)
    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator, due_on=chosen)
    assert invoice.due_on == chosen
    assert AuditEntry.objects.get(action="providers.invoice.issued").data["due_on"] == chosen.isoformat()
    same_day = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator, due_on=today)
    assert same_day.due_on == today
    with pytest.raises(services.ProviderError, match="cannot be before the issue date"):
        services.issue_invoice(
            provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator, due_on=today - datetime.timedelta(days=1)
        )
    with pytest.raises(services.ProviderError, match="cannot be before the issue date"):
        services.preview_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], due_on=today - datetime.timedelta(1))
    assert Invoice.objects.count() == 2


def test_the_preview_takes_no_number_and_saves_nothing(provider, coordinator):
    lines = [
        services.fee_line(FeeKind.SUPERVISION_HOUR, Decimal("6")),
        services.LineInput("Tutor travel (at cost)", Decimal("1"), Decimal("318.40")),
    ]
    numbers = list(InvoiceCounter.objects.values_list("last_number", flat=True))
    preview = services.preview_invoice(provider, lines)
    assert preview.total == Decimal("1518.40") and len(preview.lines) == 2
    assert preview.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert not Invoice.objects.exists() and not AuditEntry.objects.filter(action__startswith="providers.invoice")
    assert list(InvoiceCounter.objects.values_list("last_number", flat=True)) == numbers
    with pytest.raises(services.ProviderError, match="at least one line"):
        services.preview_invoice(provider, [])


def test_the_pdf_shows_the_invoice_as_text(provider, coordinator, client):
    lines = [
        services.fee_line(FeeKind.FIRST_TRAINING),
        services.LineInput("Tutor accommodation, Lisbon (at cost)", Decimal("3"), Decimal("95.50")),
    ]
    invoice = services.issue_invoice(provider, lines, by=coordinator)
    client.force_login(provider_user(provider))
    response = client.get(reverse("providers:invoice_pdf", args=[provider.pk, invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.display_number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert f"Invoice {invoice.display_number}" in text
    assert "Lisbon DIT Institute" in text
    assert "Tutor accommodation, Lisbon (at cost)" in text
    assert "286.50" in text
    assert "Total GBP 5786.50" in text
    assert f"Due {invoice.due_on:%-d %B %Y}" in text


def test_the_pdf_embeds_the_shipped_font_and_fetches_nothing_else(provider, coordinator):
    from providers.pdf import _local_fonts_only_fetcher, invoice_pdf

    invoice = services.issue_invoice(provider, [services.fee_line(FeeKind.ANNUAL)], by=coordinator)
    reader = PdfReader(io.BytesIO(invoice_pdf(invoice)))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    # The @font-face family, loaded from static/fonts, embedded as a subset (not a system font).
    assert sorted(str(font["/BaseFont"]).split("+")[1] for font in fonts) == ["Portal-Sans", "Portal-Sans-Bold"]
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor
    fetcher = _local_fonts_only_fetcher()
    with pytest.raises(ValueError, match="only the shipped fonts"):
        fetcher.fetch("https://fonts.example.com/font.ttf")
    with pytest.raises(ValueError, match="only the shipped fonts"):
        fetcher.fetch("file:///etc/passwd")
