"""The reminders about overseas providers, at their edges."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from members import roles
from providers import services as provider_services
from providers.enums import FeeKind, InvoiceStatus, ReviewStatus
from providers.models import Invoice, SupervisionRecord
from providers.selectors import _add_years
from reminders import services
from reminders.rules import AnnualFeeDue, AnnualFeeOverdue, AnnualFeeOverdueCoordinators, SupervisionHoursShort
from tests.factories import UserFactory
from tests.providers.factories import ProviderFactory, afc_trainer, provider_user, report

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def sweep(rule, today=TODAY):
        mail.outbox = []
        with django_capture_on_commit_callbacks(execute=True):
            services.send_due_reminders(rules=[rule], today=today)
        return sorted(address for message in mail.outbox for address in message.to)

    return sweep


@pytest.fixture
def provider():
    return ProviderFactory(name="Lisbon DIT Institute")


@pytest.fixture
def members(provider):
    return sorted([provider_user(provider).email, provider_user(provider).email])


def annual_invoice(provider, due_in, kind=FeeKind.ANNUAL, status=InvoiceStatus.ISSUED):
    """An invoice due `due_in` days from today, issued 40 days ago (the clock is set back
    while it is issued: a due date is never before the issue date)."""
    issued_on = TODAY - datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.localdate", return_value=issued_on):
        invoice = provider_services.issue_invoice(
            provider, [provider_services.fee_line(kind)], by=None, due_on=TODAY + datetime.timedelta(days=due_in)
        )
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    invoice.refresh_from_db()
    return invoice


@pytest.mark.parametrize(("due_in", "reminded"), [(-1, False), (0, True), (30, True), (31, False)])
def test_annual_fee_due_within_thirty_days(sweep, provider, members, due_in, reminded):
    annual_invoice(provider, due_in)
    assert sweep(AnnualFeeDue()) == (members if reminded else [])


def test_the_due_reminder_names_the_amount_and_links_to_the_invoices(sweep, provider, members):
    invoice = annual_invoice(provider, 10)
    sweep(AnnualFeeDue())
    message = mail.outbox[0]
    assert "GBP 1,000.00" in message.body
    assert f"/providers/{provider.pk}/invoices/" in message.body
    assert str(invoice) in message.body


def test_other_fees_and_paid_invoices_get_no_fee_reminder(sweep, provider, members):
    annual_invoice(provider, 10, kind=FeeKind.FIRST_TRAINING)
    annual_invoice(provider, 10, status=InvoiceStatus.PAID)
    assert sweep(AnnualFeeDue()) == []


@pytest.mark.parametrize(("due_in", "reminded"), [(0, False), (-1, True)])
def test_annual_fee_overdue_from_the_day_after_it_was_due(sweep, provider, members, due_in, reminded):
    annual_invoice(provider, due_in, status=InvoiceStatus.OVERDUE if due_in < 0 else InvoiceStatus.ISSUED)
    assert sweep(AnnualFeeOverdue()) == (members if reminded else [])


def test_the_overdue_reminder_goes_once_per_invoice(sweep, provider, members):
    annual_invoice(provider, -3)
    assert sweep(AnnualFeeOverdue()) == members
    assert sweep(AnnualFeeOverdue(), TODAY + datetime.timedelta(days=5)) == []


@pytest.mark.parametrize(("due_in", "reminded"), [(-13, False), (-14, True)])
def test_coordinators_are_told_fourteen_days_after_the_due_date(sweep, provider, members, due_in, reminded):
    coordinator = UserFactory(role=roles.COORDINATOR)
    annual_invoice(provider, due_in, status=InvoiceStatus.OVERDUE)
    assert sweep(AnnualFeeOverdueCoordinators()) == ([coordinator.email] if reminded else [])


def test_coordinators_are_not_told_of_a_paid_fee(sweep, provider):
    UserFactory(role=roles.COORDINATOR)
    annual_invoice(provider, -20, status=InvoiceStatus.PAID)
    assert sweep(AnnualFeeOverdueCoordinators()) == []


def first_year_ending_in(provider, days_left):
    """The provider's first delivery started so that its first year ends `days_left` days from today."""
    start = _add_years(TODAY + datetime.timedelta(days=days_left), -1)
    report(provider, starts_in=(start - TODAY).days)


def supervised(provider, hours, on=TODAY, status=ReviewStatus.SUBMITTED):
    SupervisionRecord.objects.create(
        provider=provider,
        afc_trainer=afc_trainer(),
        date=on,
        hours=Decimal(hours),
        record="providers/supervision/record.pdf",
        original_name="record.pdf",
        review_status=status,
    )


@pytest.mark.parametrize(("days_left", "reminded"), [(61, False), (60, True), (0, True), (-1, False)])
def test_supervision_hours_short_with_sixty_days_left(sweep, provider, members, days_left, reminded):
    first_year_ending_in(provider, days_left)
    supervised(provider, "2")
    assert sweep(SupervisionHoursShort()) == (members if reminded else [])


def test_six_hours_are_enough_and_returned_records_do_not_count(sweep, provider, members):
    first_year_ending_in(provider, 30)
    supervised(provider, "6")
    assert sweep(SupervisionHoursShort()) == []
    other = ProviderFactory()
    other_members = [provider_user(other).email]
    first_year_ending_in(other, 30)
    supervised(other, "6", status=ReviewStatus.REJECTED)
    supervised(other, "2")
    assert sweep(SupervisionHoursShort()) == other_members
    assert "4 hours to go" in mail.outbox[0].body


def _due_provider(build):
    def make():
        provider = ProviderFactory()
        provider_user(provider)
        build(provider)

    return make


BUILDERS = [
    (AnnualFeeDue(), _due_provider(lambda p: annual_invoice(p, 10))),
    (AnnualFeeOverdue(), _due_provider(lambda p: annual_invoice(p, -3))),
    (AnnualFeeOverdueCoordinators(), _due_provider(lambda p: annual_invoice(p, -20))),
    (SupervisionHoursShort(), _due_provider(lambda p: (first_year_ending_in(p, 30), supervised(p, "1")))),
]


@pytest.mark.parametrize(("rule", "build"), BUILDERS, ids=[rule.kind for rule, _ in BUILDERS])
def test_each_rule_costs_the_same_queries_for_few_and_many(rule, build, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.models import Reminder

    UserFactory(role=roles.COORDINATOR)
    counts = []
    for due in (2, 6):
        while rule.candidates(TODAY).count() < due:
            build()
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            outcome = services.send_due_reminders(rules=[rule], today=TODAY)
        assert outcome["sent"] == due
        # Reading costs the same; each reminder is marked by its own update after its send.
        counts.append(len(queries) - outcome["sent"] - outcome["failed"])
    assert counts[0] == counts[1], counts


def test_a_part_paid_annual_fee_is_still_overdue_for_the_provider_and_the_coordinators(sweep, provider, members):
    coordinator = UserFactory(role=roles.COORDINATOR)
    invoice = annual_invoice(provider, -20)
    provider_services.record_payment(invoice, amount=Decimal("400.00"), received_on=TODAY, by=None)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PART_PAID
    assert sweep(AnnualFeeOverdue()) == members
    assert "not paid in full" in mail.outbox[0].body
    assert sweep(AnnualFeeOverdueCoordinators()) == [coordinator.email]


def test_a_part_paid_annual_fee_not_yet_due_is_still_reminded_as_due(sweep, provider, members):
    invoice = annual_invoice(provider, 10)
    provider_services.record_payment(invoice, amount=Decimal("400.00"), received_on=TODAY, by=None)
    assert sweep(AnnualFeeDue()) == members


def test_the_supervision_reminder_and_the_dashboard_agree_on_the_same_providers(sweep):
    """The reminder asks the providers app's rule: the providers it reminds are those whose
    dashboard shows the supervision hours not met and due within 60 days, with the same
    hours and the same deadline."""
    from providers.selectors import hours_text, maintenance_items

    def build(days_left, *records, second_delivery=None):
        provider = ProviderFactory()
        provider_user(provider)
        first_year_ending_in(provider, days_left)
        if second_delivery is not None:
            report(provider, starts_in=second_delivery, first=False)
        for hours, on, status in records:
            supervised(provider, hours, on=on, status=status)
        return provider

    after = TODAY + datetime.timedelta(days=31)
    submitted, rejected = ReviewStatus.SUBMITTED, ReviewStatus.REJECTED
    providers = [
        build(30, ("2", TODAY, submitted)),
        # a record dated after the year's end and a rejected one do not count
        build(30, ("2", TODAY, submitted), ("5", after, submitted), ("5", TODAY, rejected)),
        build(30, ("6", TODAY, submitted)),
        build(60, ("3.5", TODAY, submitted), second_delivery=-5),  # the first delivery sets the year
        build(61, ("1", TODAY, submitted)),
        build(-1),
        build(0),
    ]
    reminded = set(sweep(SupervisionHoursShort()))
    bodies = {message.to[0]: message.body for message in mail.outbox}
    for provider in providers:
        item = next(entry for entry in maintenance_items(provider, today=TODAY) if entry.key == "supervision_hours")
        shown_due_soon = item.state == "due" and (item.due_on - TODAY).days <= 60
        address = provider.memberships.get().user.email
        assert (address in reminded) == shown_due_soon, (provider, item.state, item.evidence)
        if shown_due_soon:
            hours, required = item.evidence.split(" hours")[0].split(" of ")
            body = " ".join(bodies[address].split())
            assert f"has {hours} of the {required} hours" in body
            assert f"due by {item.due_on:%-d %B %Y}" in body
            assert f"{hours_text(Decimal(required) - Decimal(hours))} hours to go" in body
    assert len(reminded) == 4
