"""Reads: the application checklist, the maintenance requirements, and the lists a
provider sees. Every list is filtered by the provider it is given."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, DecimalField, ExpressionWrapper, F, Min, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accreditation import maintenance, thresholds
from accreditation.pathways import centre_shadowing
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, User
from trainings.enums import PRACTITIONER_TRAINING_ROLES, EnrolmentStatus
from trainings.models import Enrolment

from .enums import (
    COUNTED_REVIEW_STATES,
    LICENCE_FEE_KINDS,
    UNPAID_STATES,
    Criterion,
    FeeKind,
    InvoiceKind,
    InvoiceStatus,
)
from .models import (
    CompleterList,
    Delivery,
    FeeScheduleEntry,
    Invoice,
    NetworkEventAttendance,
    ProviderTrainer,
    SupervisionRecord,
)

UK = "GB"


@dataclass
class Item:
    """One requirement: `met` is True, False, or None where a person has to judge it.

    A requirement with a deadline carries it (`due_on`, and `today`, the day it is judged on),
    and one that cannot fall due yet says so (`not_due_yet`), so that `state` tells "met",
    "due" (by `due_on`), "overdue", "not_due" (nothing to do yet), "not_met" (no deadline;
    to do now) or "to_judge". Only "overdue" is late."""

    key: str
    label: str
    met: bool | None
    evidence: str = ""
    missing: str = ""
    due_on: datetime.date | None = None
    today: datetime.date | None = None
    not_due_yet: bool = False

    @property
    def state(self):
        if self.met is None:
            return "to_judge"
        if self.met:
            return "met"
        if self.due_on is not None:
            return "due" if (self.today or timezone.localdate()) <= self.due_on else "overdue"
        return "not_due" if self.not_due_yet else "not_met"

    @property
    def is_late(self):
        return self.state == "overdue"


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Criterion 2: a trainer trained, accredited and shadowed at the Centre ----------------


def centre_completions(person):
    """The Centre's 5-day and 20-day runs `person` completed."""
    return list(
        Enrolment.objects.filter(
            trainee=person,
            status=EnrolmentStatus.COMPLETED,
            run__run_by_centre=True,
            run__course__pathway_role__in=PRACTITIONER_TRAINING_ROLES,
        )
        .select_related("run__course")
        .order_by("run__application_deadline")
    )


def qualified_trainer_item(person):
    label = Criterion.QUALIFIED_TRAINER.label
    if person is None:
        return Item("criterion_2", label, False, missing="The named trainer has no account on the portal.")
    met_parts, missing = [], []
    completions = centre_completions(person)
    if completions:
        met_parts.append(f"completed {completions[0].run}")
    else:
        missing.append("has not completed a 5-day or 20-day training run by the Centre")
    held = set(
        HeldCredential.objects.filter(
            holder=person,
            kind__in=(CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR),
            status=CredentialStatus.ACCREDITED,
        ).values_list("kind", flat=True)
    )
    for kind in (CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR):
        if kind in held:
            met_parts.append(f"accredited {kind.label}")
        else:
            missing.append(f"is not an accredited {kind.label}")
    shadowed_on, evidence, progress = centre_shadowing(person)  # trainer step 2's rule (D9)
    if shadowed_on:
        met_parts.append(f"shadowed {evidence} at the Centre")
    else:
        missing.append(
            f"has not shadowed a whole 5-day training or enough days of the 20-day training at the Centre ({progress})"
        )
    return Item(
        "criterion_2",
        label,
        not missing,
        evidence=f"{person}: " + "; ".join(met_parts) if met_parts else "",
        missing=f"{person} " + "; ".join(missing) if missing else "",
    )


def application_checklist(application):
    """The six criteria: computed where the portal holds the data, else for the reviewer."""
    provider = application.provider
    evidence = {}
    for document in application.evidence.all():
        evidence.setdefault(document.criterion, []).append(document.original_name)

    def files(criterion):
        names = evidence.get(criterion, [])
        return f" Evidence: {', '.join(names)}." if names else ""

    countries = [country.name for country in provider.licensed_countries]
    abroad = provider.home_country.code != UK
    licensed_abroad = bool(countries) and UK not in [c.code for c in provider.licensed_countries]
    based_abroad = Item(
        "criterion_1",
        Criterion.BASED_ABROAD.label,
        abroad and licensed_abroad,
        evidence=f"Based in {provider.home_country.name}; to train in {', '.join(countries) or 'no country named'}."
        + files(Criterion.BASED_ABROAD),
        missing=""
        if abroad and licensed_abroad
        else "The provider must be based outside the UK and train only in countries outside it.",
    )
    emails = [application.qualified_trainer_email, application.second_trainer_email]
    people = {user.email: user for user in User.objects.filter(email__in=[e.lower() for e in emails if e])}
    qualified = qualified_trainer_item(people.get(application.qualified_trainer_email.lower()))
    second = people.get(application.second_trainer_email.lower()) if application.second_trainer_email else None
    trainers_named = 1 + bool(application.second_trainer_email)
    two_trainers = Item(
        "criterion_3",
        Criterion.TWO_TRAINERS.label,
        True if trainers_named >= 2 else None,
        evidence=(
            f"Second trainer: {second or application.second_trainer_email}."
            if application.second_trainer_email
            else f"Plan: {application.second_trainer_plan or '(none given)'}"
        )
        + files(Criterion.TWO_TRAINERS),
        missing="" if trainers_named >= 2 else "One trainer named: judge the plan for a second within 2 years.",
    )
    judged = [
        (Criterion.PROVIDES_DIT, application.dit_practice),
        (Criterion.INVOLVEMENT, application.involvement),
        (Criterion.DELIVERY_PLAN, application.delivery_plan_summary),
    ]
    items = [based_abroad, qualified, two_trainers]
    for criterion, text in judged:
        items.append(
            Item(
                f"criterion_{criterion.value}",
                criterion.label,
                None,
                evidence=text + files(criterion),
                missing="For the reviewer to judge from the statement and evidence.",
            )
        )
    return items


# Maintenance -------------------------------------------------------------------------


def hours_text(hours):
    """3.50 -> "3.5", 6.00 -> "6", 10.00 -> "10" (never "1E+1")."""
    return f"{hours.normalize():f}"


@dataclass
class SupervisionHours:
    hours: Decimal
    required: Decimal
    window_end: datetime.date | None

    @property
    def met(self):
        return self.hours >= self.required

    def __str__(self):
        counted = f", counted until {self.window_end:%-d %B %Y}" if self.window_end else "; no training delivered yet"
        return f"{hours_text(self.hours)} of {hours_text(self.required)} hours{counted}."


def supervision_hours_required():
    """Step 3's first-year supervision hours: the supervision fee entry's minimum quantity,
    or the threshold when the fee schedule names none. Pages and the reminder read this."""
    fee = FeeScheduleEntry.objects.filter(kind=FeeKind.SUPERVISION_HOUR).first()
    return fee.minimum_quantity if fee else thresholds.current()["provider_supervision_hours"]


def supervision_requirement(provider):
    """The hours counted and required for the first-year supervision, and the window's end
    (`supervision_requirements` for one provider)."""
    return supervision_requirements([provider])[provider.pk]


def supervision_requirements(providers):
    """{provider id: SupervisionHours} for `providers`, in three queries however many: the
    first year runs from the provider's first training delivery to the same day a year later
    (29 February: the 28th), and the hours counted are those of supervision records in a
    counted review state dated by then (all of them while nothing is delivered yet). The
    dashboard and the supervision-hours reminder both read this."""
    ids = [provider.pk for provider in providers]
    required = supervision_hours_required()
    firsts = dict(
        Delivery.objects.filter(provider_id__in=ids)
        .order_by()
        .values("provider_id")
        .annotate(first=Min("starts_on"))
        .values_list("provider_id", "first")
    )
    window_ends = {provider_id: _add_years(first, 1) for provider_id, first in firsts.items()}
    hours = dict.fromkeys(ids, Decimal("0.00"))
    records = SupervisionRecord.objects.filter(provider_id__in=ids, review_status__in=COUNTED_REVIEW_STATES)
    for provider_id, date, record_hours in records.values_list("provider_id", "date", "hours"):
        window_end = window_ends.get(provider_id)
        if window_end is None or date <= window_end:
            hours[provider_id] += record_hours
    return {
        provider_id: SupervisionHours(hours[provider_id], required, window_ends.get(provider_id)) for provider_id in ids
    }


def trainer_practitioner_item(trainer, outcome, today):
    """The trainer's practitioner maintenance this year, from the accreditation engine's
    yearly check `outcome` (so far in the year: a DIT patient seen, 1:12 in the first year)."""
    year = outcome.year
    label = f"{trainer.person}: keeps DIT practitioner status ({year} so far)"
    if not outcome.applies:
        return Item(
            f"practitioner_{trainer.pk}",
            label,
            False,
            missing="Not an accredited DIT practitioner, so no maintenance check applies.",
        )
    required = [item for item in outcome.items if item.required]
    return Item(
        f"practitioner_{trainer.pk}",
        label,
        outcome.passed,
        evidence="; ".join(f"{item.label}: {item.evidence}" for item in required if item.met and item.evidence),
        missing="; ".join(item.missing or item.label for item in required if not item.met),
        # Maintenance is judged per calendar year (DOMAIN D7): the year so far is due by its end.
        due_on=datetime.date(year, 12, 31),
        today=today,
    )


def maintenance_items(provider, *, today=None):
    today = today or timezone.localdate()
    trainers = list(
        ProviderTrainer.objects.filter(provider=provider)
        .select_related("person")
        .annotate(events_this_year=Count("network_events", filter=Q(network_events__date__year=today.year)))
    )
    items = []
    years = thresholds.current().whole("provider_second_trainer_years")
    deadline = _add_years(provider.accredited_on, years) if provider.accredited_on else None
    items.append(
        Item(
            "two_trainers",
            "At least two DIT trainers within 2 years of accreditation",
            len(trainers) >= 2,
            evidence=f"{len(trainers)} trainer(s): {', '.join(str(t.person) for t in trainers) or 'none'}.",
            missing=""
            if len(trainers) >= 2
            else (f"A second trainer is due by {deadline:%-d %B %Y}." if deadline else ""),
            due_on=deadline,
            today=today,
        )
    )
    supervision = supervision_requirement(provider)
    items.append(
        Item(
            "supervision_hours",
            f"{hours_text(supervision.required)} hours of supervision with an AFC trainer in the year after the "
            "first training",
            supervision.met,
            evidence=str(supervision),
            missing=""
            if supervision.met
            else f"{hours_text(supervision.required - supervision.hours)} hours still to go."
            + ("" if supervision.window_end else " The year counts from your first training delivery."),
            due_on=supervision.window_end,
            today=today,
            not_due_yet=supervision.window_end is None,
        )
    )
    paid = Invoice.objects.filter(
        provider=provider,
        status=InvoiceStatus.PAID,
        issued_on__year=today.year,
        lines__fee__kind__in=LICENCE_FEE_KINDS,
    ).exists()
    unpaid = (
        None
        if paid
        else Invoice.objects.filter(
            provider=provider,
            kind=InvoiceKind.INVOICE,
            status__in=UNPAID_STATES,
            lines__fee__kind__in=LICENCE_FEE_KINDS,
        )
        .order_by("due_on")
        .first()
    )
    items.append(
        Item(
            "annual_fee",
            f"Accreditation fee for {today.year} paid",
            paid,
            evidence="Paid." if paid else "",
            missing=""
            if paid
            else (
                f"Invoice {unpaid} is unpaid."
                if unpaid
                else f"No accreditation fee invoice for {today.year} yet: the Centre sends one when it is due."
            ),
            due_on=unpaid.due_on if unpaid else None,
            today=today,
            not_due_yet=unpaid is None,
        )
    )
    missing_event = [str(t.person) for t in trainers if not t.events_this_year]
    items.append(
        Item(
            "network_event",
            f"Every trainer attended a DIT training centre network event in {today.year}",
            bool(trainers) and not missing_event,
            evidence=f"{len(trainers) - len(missing_event)} of {len(trainers)} trainers attended.",
            missing=f"Not yet: {', '.join(missing_event)}." if missing_event else "",
            due_on=datetime.date(today.year, 12, 31) if trainers else None,
            today=today,
        )
    )
    # The trainers' yearly checks in one batch: the same queries for 2 trainers or 20.
    outcomes = maintenance.check_many([trainer.person for trainer in trainers], today.year, today=today)
    items.extend(trainer_practitioner_item(trainer, outcomes[trainer.person_id], today) for trainer in trainers)
    return items


# Invoices ----------------------------------------------------------------------------


def overdue_condition(today=None):
    """Invoices with a balance still due after their due date: issued, part paid or already
    marked overdue (the scheduled job marks only those with nothing paid). The to-do panel,
    the admin's list and "Overdue" filter and the fee reminders all ask this."""
    today = today or timezone.localdate()
    return Q(kind=InvoiceKind.INVOICE, status__in=UNPAID_STATES, due_on__lt=today)


def overdue_invoices(today=None):
    return Invoice.objects.filter(overdue_condition(today))


def default_due_date(issued_on):
    """The due date an invoice gets unless the coordinator chooses another: the payment terms."""
    return issued_on + datetime.timedelta(days=thresholds.current().whole("provider_payment_terms_days"))


# Lists -------------------------------------------------------------------------------


def invoices(provider):
    """The provider's invoices, newest first, with what was paid, the balance still due and
    whether it is overdue (`overdue_condition`)."""
    return (
        Invoice.objects.filter(provider=provider)
        .annotate(
            paid_amount=Coalesce(
                Sum("payments__amount"),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            balance_due=F("total") - F("paid_amount"),
            is_overdue=ExpressionWrapper(overdue_condition(), output_field=BooleanField()),
        )
        .order_by("-number")
    )


def deliveries(provider):
    return (
        Delivery.objects.filter(provider=provider)
        .select_related("run__course", "centre_trainer")
        .prefetch_related(Prefetch("trainers", queryset=ProviderTrainer.objects.select_related("person")))
    )


def supervision_records(provider):
    return SupervisionRecord.objects.filter(provider=provider).select_related("afc_trainer")


def completer_lists(provider):
    return (
        CompleterList.objects.filter(provider=provider)
        .select_related("delivery__run__course")
        .annotate(people=Count("rows"))
    )


def network_events(provider):
    return NetworkEventAttendance.objects.filter(provider=provider).select_related("trainer__person")


def afc_trainers():
    """People who hold the AFC (Centre) Trainer credential, accredited."""
    return User.objects.filter(
        credentials__kind=CredentialKind.TRAINER, credentials__status=CredentialStatus.ACCREDITED
    ).order_by("full_name", "email")
