"""Reminders to overseas providers (and about them to the coordinators): the annual
accreditation fee and the first year's supervision hours, read from the providers app."""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from members.models import User
from members.roles import COORDINATOR
from providers.enums import UNPAID_STATES, FeeKind, InvoiceKind, ProviderStatus
from providers.models import Delivery, Invoice, InvoiceLine, Provider, ProviderMembership
from providers.selectors import hours_text, overdue_condition, supervision_requirements

from .base import COORDINATORS, PROVIDERS, Due, Rule

DAYS_BEFORE_FEE_DUE = 30
DAYS_OVERDUE_BEFORE_COORDINATORS = 14
DAYS_BEFORE_SUPERVISION_DEADLINE = 60


def _day(date):
    return f"{date:%-d %B %Y}"


def _money(invoice):
    return f"{invoice.currency} {invoice.total:,.2f}"


def _members_of(provider_ids):
    members = {}
    for membership in ProviderMembership.objects.filter(
        provider_id__in=provider_ids, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.provider_id, []).append(membership.user)
    return members


def _annual_fee_invoices():
    """Annual fee invoices with a balance still due (part paid included)."""
    annual = InvoiceLine.objects.filter(invoice=OuterRef("pk"), fee__kind=FeeKind.ANNUAL)
    return Invoice.objects.filter(Exists(annual), kind=InvoiceKind.INVOICE, status__in=UNPAID_STATES).select_related(
        "provider"
    )


class _ProviderInvoiceRule(Rule):
    period = ""

    def build(self, rows, today):
        members = _members_of({invoice.provider_id for invoice in rows})
        return [
            Due(
                person=person,
                period_key=f"invoice-{invoice.pk}-{self.period}",
                missing=self.missing(invoice, today),
                fix_url=reverse("providers:invoices", kwargs={"provider_id": invoice.provider_id}),
                context={"invoice": invoice, "provider": invoice.provider, "amount": _money(invoice)},
            )
            for invoice in rows
            for person in members.get(invoice.provider_id, [])
        ]


class AnnualFeeDue(_ProviderInvoiceRule):
    """An unpaid annual accreditation fee invoice falls due within 30 days."""

    kind = "provider_annual_fee_due"
    audience = PROVIDERS
    label = "Providers: the annual accreditation fee falls due within 30 days"
    period = "due"

    def candidates(self, today):
        return _annual_fee_invoices().filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DAYS_BEFORE_FEE_DUE)
        )

    def missing(self, invoice, today):
        return f"The annual accreditation fee of {invoice.provider} ({_money(invoice)}, {invoice}) is due on {_day(invoice.due_on)}."


class AnnualFeeOverdue(_ProviderInvoiceRule):
    """An annual accreditation fee invoice is unpaid after its due date."""

    kind = "provider_annual_fee_overdue"
    audience = PROVIDERS
    label = "Providers: the annual accreditation fee is overdue"
    period = "overdue"

    def candidates(self, today):
        return _annual_fee_invoices().filter(overdue_condition(today))

    def missing(self, invoice, today):
        return f"The annual accreditation fee of {invoice.provider} ({_money(invoice)}, {invoice}) was due on {_day(invoice.due_on)} and is not paid in full."


class AnnualFeeOverdueCoordinators(Rule):
    """14 days after an annual fee fell due unpaid, every coordinator is told too."""

    kind = "provider_annual_fee_overdue_coordinators"
    audience = COORDINATORS
    label = "Coordinators: a provider's annual fee unpaid 14 days after it was due"

    def candidates(self, today):
        return _annual_fee_invoices().filter(
            overdue_condition(today), due_on__lte=today - datetime.timedelta(days=DAYS_OVERDUE_BEFORE_COORDINATORS)
        )

    def build(self, rows, today):
        coordinators = list(User.objects.filter(groups__name=COORDINATOR, is_active=True).order_by("pk"))
        return [
            Due(
                person=coordinator,
                period_key=f"invoice-{invoice.pk}-overdue-coordinators",
                missing=f"{invoice.provider}'s annual accreditation fee ({_money(invoice)}, {invoice}) was due on "
                f"{_day(invoice.due_on)}, {(today - invoice.due_on).days} days ago, and is not paid in full.",
                fix_url=reverse("admin:providers_invoice_change", args=[invoice.pk]),
                context={"invoice": invoice, "provider": invoice.provider, "amount": _money(invoice)},
            )
            for invoice in rows
            for coordinator in coordinators
        ]


class SupervisionHoursShort(Rule):
    """60 days before the first year after its first training delivery ends, a provider has
    fewer hours of supervision with an AFC trainer than the fee schedule requires. The year,
    its end and the hours counted are the providers app's rule
    (`providers.selectors.supervision_requirements`, which the dashboard shows), asked for a
    batch of providers at a time; this rule only decides when to remind."""

    kind = "provider_supervision_hours_short"
    audience = PROVIDERS
    label = "Providers: supervision hours short with 60 days of the first year left"

    def candidates(self, today):
        # Accredited providers that delivered a training; the selector says whose year ends soon.
        delivered = Delivery.objects.filter(provider=OuterRef("pk"))
        return Provider.objects.filter(Exists(delivered), status=ProviderStatus.ACCREDITED)

    def build(self, rows, today):
        requirements = supervision_requirements(rows)
        due = {}
        for provider in rows:
            requirement = requirements[provider.pk]
            deadline = requirement.window_end
            if requirement.met or deadline is None:
                continue
            if datetime.timedelta(0) <= deadline - today <= datetime.timedelta(days=DAYS_BEFORE_SUPERVISION_DEADLINE):
                due[provider.pk] = (provider, requirement)
        if not due:
            return []
        members = _members_of(due)
        reminders = []
        for provider_id, (provider, requirement) in due.items():
            deadline = requirement.window_end
            for person in members.get(provider_id, []):
                reminders.append(
                    Due(
                        person=person,
                        period_key=f"supervision-{deadline.isoformat()}",
                        missing=f"{provider} has {hours_text(requirement.hours)} of the "
                        f"{hours_text(requirement.required)} hours of supervision with an AFC trainer due by "
                        f"{_day(deadline)}: {hours_text(requirement.required - requirement.hours)} hours to go.",
                        fix_url=reverse("providers:upload_supervision", kwargs={"provider_id": provider_id}),
                        context={"provider": provider, "deadline": deadline},
                    )
                )
        return reminders
