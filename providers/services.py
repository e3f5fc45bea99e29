"""Every state change of providers: applications, people, invoices, deliveries, uploads.

Each public function runs in one transaction, locks the row it changes with
`select_for_update()`, checks the current state against the transition tables in
`enums.py`, saves with `update_fields`, writes one audit entry and sends its e-mail after
commit. Views, admin actions and tasks all call these; a refusal raises ProviderError with
a message meant for the person who asked, and changes nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accreditation import thresholds
from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from dit_portal.files import CSV, EVIDENCE_KINDS, PDF, prepare_upload, shown_name
from members import roles
from members.enums import CredentialKind
from members.models import User
from members.services import holds_credential
from trainings.enums import DeliveryMode, RunStatus, TrainerRole
from trainings.models import CourseRun, RunDay, RunTrainer, TrainerDay

from . import selectors
from .completers import XLSX_WORKBOOK, parse_completer_list
from .enums import (
    APPLICATION_STATUS_CHANGES,
    INVOICE_STATUS_CHANGES,
    PROVIDER_STATUS_CHANGES,
    REPORTING_STATES,
    REVIEW_STATUS_CHANGES,
    UNPAID_STATES,
    ApplicationStatus,
    FeeKind,
    InvoiceKind,
    InvoiceStatus,
    ProviderStatus,
    ReviewStatus,
)
from .models import (
    ApplicationEvidence,
    Completer,
    CompleterList,
    Delivery,
    FeeScheduleEntry,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    LicenceApplication,
    NetworkEventAttendance,
    Payment,
    Provider,
    ProviderInvitation,
    ProviderMembership,
    ProviderTrainer,
    SupervisionRecord,
)

CENT = Decimal("0.01")
INVITATION_SALT = "providers.invitation"
INVITATION_MAX_AGE = datetime.timedelta(days=14)
INVOICE_COUNTER = "invoice"


class ProviderError(Exception):
    """A refused change; `errors` carries row errors of a refused completer list."""

    def __init__(self, message, *, errors=()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)


def _refuse_unless(obj, table, new_status, what):
    if new_status not in table[obj.status]:
        raise ProviderError(
            f"{what} cannot become {new_status.label.lower()}: it is {obj.get_status_display().lower()}."
        )


def _validated(upload, kinds):
    """The file to store (pictures re-encoded), or a ProviderError saying why not."""
    try:
        return prepare_upload(upload, kinds)
    except ValidationError as error:
        raise ProviderError(" ".join(error.messages)) from None


def _member_addresses(provider):
    addresses = [m.user.email for m in provider.memberships.select_related("user")]
    if provider.contact_email and provider.contact_email not in addresses:
        addresses.append(provider.contact_email)
    return addresses


def _require_reporting(provider):
    if provider.status not in REPORTING_STATES:
        raise ProviderError(
            f"{provider} is {provider.get_status_display().lower()}; only an accredited provider can report this."
        )


def _add_member(provider, user):
    ProviderMembership.objects.get_or_create(provider=provider, user=user)
    user.groups.add(Group.objects.get(name=roles.PROVIDER_USER))


# The application ----------------------------------------------------------------------


@dataclass
class ApplicationInput:
    name: str
    home_country: str
    licensed_countries: list
    training_countries: str
    qualified_trainer_email: str
    second_trainer_email: str
    second_trainer_plan: str
    dit_practice: str
    involvement: str
    delivery_plan_summary: str
    contact_email: str = ""
    address: str = ""


def submit_application(data, *, applicant, evidence):
    """Create the applicant provider, make `applicant` its first user and file the six
    criteria with their evidence (`evidence`: a list of (criterion, upload))."""
    if not data.licensed_countries:
        raise ProviderError("Name at least one country you will train in.")
    if "GB" in data.licensed_countries or data.home_country == "GB":
        raise ProviderError("The licence is for providers based, and training, outside the UK.")
    if not data.delivery_plan_summary.strip():
        raise ProviderError("Describe your plan for delivering training and associated services.")
    evidence = [(criterion, _validated(upload, EVIDENCE_KINDS)) for criterion, upload in evidence]
    with transaction.atomic():
        provider = Provider.objects.create(
            name=data.name,
            home_country=data.home_country,
            licensed_countries=data.licensed_countries,
            contact_email=data.contact_email or applicant.email,
            address=data.address,
        )
        _add_member(provider, applicant)
        application = LicenceApplication.objects.create(
            provider=provider,
            applicant=applicant,
            training_countries=data.training_countries,
            qualified_trainer_email=data.qualified_trainer_email.lower(),
            second_trainer_email=data.second_trainer_email.lower(),
            second_trainer_plan=data.second_trainer_plan,
            dit_practice=data.dit_practice,
            involvement=data.involvement,
            delivery_plan_summary=data.delivery_plan_summary,
        )
        for criterion, upload in evidence:
            document = ApplicationEvidence(
                application=application, criterion=criterion, original_name=shown_name(upload.name)
            )
            document.file.save(upload.name, upload, save=False)
            document.save()
        log_action(
            application,
            "providers.application.submitted",
            user=applicant,
            data={"provider": provider.name, "evidence": [shown_name(upload.name) for _c, upload in evidence]},
        )
        send_templated_email(
            "providers/emails/application_received",
            {"application": application, "provider": provider, "url": provider.get_absolute_url()},
            to=applicant.email,
        )
    return application


def decide_application(application, *, approve, reason, by, override_reason=""):
    """The Programme Director approves (the provider is accredited for a year and invoiced
    the initial fee) or refuses, with a reason the applicant sees. Approving while a computed
    criterion is not met needs an override reason, stored and logged."""
    if not (by.is_superuser or roles.has_role(by, roles.PROGRAMME_DIRECTOR)):
        raise ProviderError("Only the Programme Director decides on a provider's accreditation.")
    reason = (reason or "").strip()
    override_reason = (override_reason or "").strip()
    if not approve and not reason:
        raise ProviderError("Give the reason for refusing; the applicant sees it.")
    new_status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=application.provider_id)
        application = LicenceApplication.objects.select_for_update().get(pk=application.pk)
        _refuse_unless(application, APPLICATION_STATUS_CHANGES, new_status, "The application")
        not_met = [item.label for item in selectors.application_checklist(application) if item.met is False]
        if approve and not_met and not override_reason:
            raise ProviderError(
                f"Not met: {'; '.join(not_met)}. To approve anyway, give the reason for overriding "
                "(kept in the audit log)."
            )
        overridden = not_met if approve else []
        application.override_reason = override_reason if overridden else ""
        provider_status = ProviderStatus.ACCREDITED if approve else ProviderStatus.REFUSED
        _refuse_unless(provider, PROVIDER_STATUS_CHANGES, provider_status, str(provider))
        today = timezone.localdate()
        application.status = new_status
        application.decided_at = timezone.now()
        application.decided_by = by
        application.decision_reason = reason
        application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "override_reason"])
        provider.status = provider_status
        fields = ["status"]
        if approve:
            provider.accredited_on = today
            provider.licence_starts_on = today
            provider.licence_ends_on = today + datetime.timedelta(
                days=thresholds.current().whole("provider_licence_days") - 1
            )
            fields += ["accredited_on", "licence_starts_on", "licence_ends_on"]
            emails = [e for e in (application.qualified_trainer_email, application.second_trainer_email) if e]
            for person in User.objects.filter(email__in=emails):
                ProviderTrainer.objects.get_or_create(provider=provider, person=person)
        provider.save(update_fields=fields)
        log_action(
            application,
            f"providers.application.{new_status}",
            user=by,
            data={
                "provider": provider.name,
                "reason": reason,
                **({"criteria_not_met": overridden, "override_reason": override_reason} if overridden else {}),
            },
        )
        invoice = _issue(provider, [fee_line(FeeKind.INITIAL_ACCREDITATION)], by=by) if approve else None
        send_templated_email(
            "providers/emails/application_decided",
            {
                "application": application,
                "provider": provider,
                "approved": approve,
                "invoice": invoice,
                "url": reverse("providers:application", kwargs={"provider_id": provider.pk}),
            },
            to=_member_addresses(provider),
        )
    return application


def change_provider_status(provider, status, *, by, reason=""):
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _refuse_unless(provider, PROVIDER_STATUS_CHANGES, ProviderStatus(status), str(provider))
        previous = provider.status
        provider.status = status
        provider.save(update_fields=["status"])
        log_action(
            provider,
            "providers.provider.status_changed",
            user=by,
            data={"from": previous, "to": status, "reason": reason},
        )
    return provider


def renew_licence(provider, *, by):
    """Extend an accredited provider's licence by a year and invoice the annual fee."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if provider.status != ProviderStatus.ACCREDITED or provider.licence_ends_on is None:
            raise ProviderError(f"{provider} is not accredited; its licence cannot be renewed.")
        starts = provider.licence_ends_on + datetime.timedelta(days=1)
        provider.licence_starts_on = starts
        provider.licence_ends_on = starts + datetime.timedelta(
            days=thresholds.current().whole("provider_licence_days") - 1
        )
        provider.save(update_fields=["licence_starts_on", "licence_ends_on"])
        log_action(provider, "providers.provider.licence_renewed", user=by, data={"until": provider.licence_ends_on})
        return _issue(provider, [fee_line(FeeKind.ANNUAL)], by=by)


# People --------------------------------------------------------------------------------


def invitation_token(invitation):
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invitation_from_token(token):
    """The open invitation the token names, or ProviderError if it is forged, expired or used."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ProviderError("This invitation has expired. Ask the Centre to invite you again.") from None
    except signing.BadSignature:
        raise ProviderError("This invitation link is not valid.") from None
    invitation = (
        ProviderInvitation.objects.select_related("provider")
        .filter(pk=payload.get("invitation"), email=payload.get("email"))
        .first()
    )
    if invitation is None:
        raise ProviderError("This invitation link is not valid.")
    if invitation.accepted_at:
        raise ProviderError("This invitation has already been used. Log in with your e-mail address.")
    return invitation


def invite_provider_user(provider, email, *, by):
    email = email.strip().lower()
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if provider.memberships.filter(user__email=email).exists():
            raise ProviderError(f"{email} is already a user of {provider}.")
        invitation = ProviderInvitation.objects.create(provider=provider, email=email, invited_by=by)
        log_action(invitation, "providers.invitation.sent", user=by, data={"email": email, "provider": provider.name})
        url = reverse("providers:accept_invitation", kwargs={"token": invitation_token(invitation)})
        send_templated_email(
            "providers/emails/invitation",
            {"provider": provider, "invitation": invitation, "url": url, "days": INVITATION_MAX_AGE.days},
            to=email,
        )
    return invitation


def accept_invitation(token, *, user=None, full_name="", password=None):
    """Join the invited provider: as the signed-in `user` whose address was invited, or as a
    new account with `password` (the invitation proves the address)."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = ProviderInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ProviderError("This invitation has already been used. Log in with your e-mail address.")
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise ProviderError("An account with this address exists: log in to accept the invitation.")
            user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        elif user.email.lower() != invitation.email:
            raise ProviderError(f"This invitation is for {invitation.email}; log in with that address.")
        _add_member(invitation.provider, user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(invitation, "providers.invitation.accepted", user=user, data={"provider": invitation.provider.name})
    return invitation, user


def add_trainer(provider, person, *, by):
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        trainer, created = ProviderTrainer.objects.get_or_create(provider=provider, person=person)
        if not created:
            raise ProviderError(f"{person} is already a trainer of {provider}.")
        log_action(
            trainer, "providers.trainer.added", user=by, data={"provider": provider.name, "person": person.email}
        )
    return trainer


# Invoices ------------------------------------------------------------------------------


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal = Decimal("0.00")
    fee: FeeScheduleEntry | None = None


def fee_line(kind, quantity=Decimal("1")):
    fee = FeeScheduleEntry.objects.get(kind=kind)
    description = fee.description + (f" ({Decimal(quantity).normalize():f} {fee.unit}s)" if fee.unit else "")
    return LineInput(
        description=description,
        quantity=Decimal(quantity),
        unit_price=fee.amount,
        vat_rate=fee.vat_rate if fee.vat_applies else Decimal("0.00"),
        fee=fee,
    )


def _money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def next_invoice_number():
    """Take the next number; the counter row stays locked until the caller's transaction ends."""
    counter = InvoiceCounter.objects.select_for_update().get_or_create(name=INVOICE_COUNTER)[0]
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@dataclass
class PricedInvoice:
    """An invoice worked out but not yet issued: what the confirmation page shows and what
    `_issue` saves, from the same computation."""

    provider: Provider
    kind: str
    bill_to: str
    issued_on: datetime.date
    due_on: datetime.date
    lines: list  # (LineInput, net amount, VAT amount)
    net_total: Decimal
    vat_total: Decimal
    currency: str = "GBP"

    @property
    def total(self):
        return self.net_total + self.vat_total


def _priced(provider, lines, *, kind=InvoiceKind.INVOICE, due_on=None):
    """Check the lines and the due date and work out the amounts; nothing is saved."""
    if not lines:
        raise ProviderError("An invoice needs at least one line.")
    for line in lines:
        if not line.description.strip():
            raise ProviderError("Every line needs a description.")
        if kind == InvoiceKind.INVOICE and (line.quantity <= 0 or line.unit_price < 0):
            raise ProviderError("Quantities must be above zero and prices not below zero.")
    today = timezone.localdate()
    due_on = selectors.default_due_date(today) if due_on is None else due_on
    if due_on < today:
        raise ProviderError(f"The due date cannot be before the issue date ({today:%-d %B %Y}).")
    computed = []
    for line in lines:
        net = _money(line.quantity * line.unit_price)
        computed.append((line, net, _money(net * line.vat_rate / 100)))
    return PricedInvoice(
        provider=provider,
        kind=kind,
        bill_to="\n".join(part for part in (provider.name, provider.address, provider.home_country.name) if part),
        issued_on=today,
        due_on=due_on,
        lines=computed,
        net_total=sum((net for _l, net, _v in computed), Decimal("0.00")),
        vat_total=sum((vat for _l, _n, vat in computed), Decimal("0.00")),
    )


def _issue(provider, lines, *, by, kind=InvoiceKind.INVOICE, credits=None, note="", due_on=None):
    priced = _priced(provider, lines, kind=kind, due_on=due_on)
    number = next_invoice_number()
    invoice = Invoice.objects.create(
        provider=provider,
        number=number,
        kind=kind,
        credits=credits,
        issued_on=priced.issued_on,
        due_on=priced.due_on,
        bill_to=priced.bill_to,
        note=note,
        net_total=priced.net_total,
        vat_total=priced.vat_total,
        total=priced.total,
        issued_by=by,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            fee=line.fee,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net_amount=net,
            vat_amount=vat,
            position=position,
        )
        for position, (line, net, vat) in enumerate(priced.lines)
    )
    log_action(
        invoice,
        f"providers.{kind}.issued",
        user=by,
        data={
            "number": invoice.display_number,
            "total": invoice.total,
            "provider": provider.name,
            "due_on": invoice.due_on,
        },
    )
    send_templated_email(
        "providers/emails/invoice_issued",
        {
            "invoice": invoice,
            "provider": provider,
            "url": reverse("providers:invoices", kwargs={"provider_id": provider.pk}),
        },
        to=_member_addresses(provider),
    )
    return invoice


def _refuse_unless_invoiceable(provider):
    if provider.status in (ProviderStatus.WITHDRAWN, ProviderStatus.REFUSED):
        raise ProviderError(f"{provider} is {provider.get_status_display().lower()}; it is not invoiced.")


def preview_invoice(provider, lines, *, due_on=None):
    """The invoice `issue_invoice` would issue with these lines and due date, refused for the
    same reasons; nothing is saved and no number is taken. The coordinator confirms it."""
    _refuse_unless_invoiceable(provider)
    return _priced(provider, lines, due_on=due_on)


def issue_invoice(provider, lines, *, by, note="", due_on=None):
    """Issue an invoice to `provider`; due on `due_on` (not before today), by default after
    the payment terms (selectors.default_due_date)."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _refuse_unless_invoiceable(provider)
        return _issue(provider, lines, by=by, note=note, due_on=due_on)


def _set_invoice_status(invoice, status, *, by, data=None):
    _refuse_unless(invoice, INVOICE_STATUS_CHANGES, status, str(invoice))
    previous = invoice.status
    invoice.status = status
    invoice.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at"]
    if status == InvoiceStatus.PAID:
        invoice.paid_on = timezone.localdate()
        fields.append("paid_on")
    invoice.save(update_fields=fields)
    log_action(
        invoice, "providers.invoice.status_changed", user=by, data={"from": previous, "to": status, **(data or {})}
    )


def issue_credit_note(invoice, *, reason, by):
    """Correct an issued invoice: a credit note for its whole amount, and the invoice is void."""
    reason = (reason or "").strip()
    if not reason:
        raise ProviderError("Say why the invoice is credited; the credit note shows it.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("provider").get(pk=invoice.pk)
        if invoice.kind != InvoiceKind.INVOICE:
            raise ProviderError("A credit note cannot itself be credited.")
        if invoice.payments.exists():
            raise ProviderError(f"{invoice} has payments recorded; refund them before crediting it.")
        _refuse_unless(invoice, INVOICE_STATUS_CHANGES, InvoiceStatus.VOID, str(invoice))
        lines = [
            LineInput(
                description=f"Credit: {line.description}",
                quantity=line.quantity,
                unit_price=-line.unit_price,
                vat_rate=line.vat_rate,
                fee=line.fee,
            )
            for line in invoice.lines.all()
        ]
        note = f"Credits {invoice.display_number} issued on {invoice.issued_on:%-d %B %Y}. Reason: {reason}"
        credit_note = _issue(
            invoice.provider,
            lines,
            by=by,
            kind=InvoiceKind.CREDIT_NOTE,
            credits=invoice,
            note=note,
            due_on=timezone.localdate(),
        )
        _set_invoice_status(invoice, InvoiceStatus.VOID, by=by, data={"credit_note": credit_note.display_number})
    return credit_note


def record_payment(invoice, *, amount, received_on, reference="", by):
    amount = Decimal(amount)
    if amount <= 0:
        raise ProviderError("A payment must be above zero.")
    if received_on > timezone.localdate():
        raise ProviderError("A payment cannot be received in the future.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != InvoiceKind.INVOICE or invoice.status not in UNPAID_STATES:
            raise ProviderError(f"{invoice} is {invoice.get_status_display().lower()}; no payment is due.")
        if amount > invoice.balance:
            raise ProviderError(f"{invoice} has GBP {invoice.balance:,.2f} outstanding; the payment is larger.")
        payment = Payment.objects.create(
            invoice=invoice, amount=_money(amount), received_on=received_on, reference=reference, recorded_by=by
        )
        if invoice.balance <= 0:
            _set_invoice_status(invoice, InvoiceStatus.PAID, by=by, data={"payment": payment.amount})
        elif invoice.status != InvoiceStatus.PART_PAID:
            _set_invoice_status(
                invoice,
                InvoiceStatus.PART_PAID,
                by=by,
                data={"payment": payment.amount, "reference": reference, "balance": invoice.balance},
            )
        else:
            log_action(
                invoice,
                "providers.invoice.part_paid",
                user=by,
                data={"payment": payment.amount, "reference": reference, "balance": invoice.balance},
            )
    return payment


def mark_overdue_invoices(*, today=None):
    """Mark overdue the invoices with nothing paid after their due date (a part-paid one keeps
    its status and is overdue all the same, see selectors.overdue_invoices); safe to run any
    number of times."""
    today = today or timezone.localdate()
    moved = 0
    for invoice_id in (
        selectors.overdue_invoices(today).filter(status=InvoiceStatus.ISSUED).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
            if invoice.status == InvoiceStatus.ISSUED:
                _set_invoice_status(invoice, InvoiceStatus.OVERDUE, by=None)
                moved += 1
    return moved


# Deliveries ----------------------------------------------------------------------------


@dataclass
class DeliveryInput:
    course: object
    label: str
    dates: list
    country: str
    participants: int
    trainers: list  # ProviderTrainer rows of this provider
    centre_trainer: User | None = None
    mode: str = DeliveryMode.IN_PERSON
    venue: str = ""


def report_delivery(provider, data, *, by):
    """Record a training the provider delivers, as a course run not run by the Centre."""
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _require_reporting(provider)
        if data.country not in [c.code for c in provider.licensed_countries]:
            allowed = ", ".join(c.name for c in provider.licensed_countries)
            raise ProviderError(f"{provider} is licensed to train only in {allowed}.")
        trainers = list(data.trainers)
        if any(trainer.provider_id != provider.pk for trainer in trainers):
            raise ProviderError("Choose the trainers from your own organisation.")
        if not trainers:
            raise ProviderError("Name at least one of your trainers.")
        most = thresholds.current().whole("provider_max_participants_one_trainer")
        if data.participants > most and len(trainers) < 2:
            raise ProviderError(f"A training with more than {most} participants must be run by 2 trainers.")
        is_first = not provider.deliveries.exists()
        if is_first and data.centre_trainer is None:
            raise ProviderError("Your first training is co-delivered: name the Centre-approved trainer.")
        if data.centre_trainer is not None and not holds_credential(data.centre_trainer, CredentialKind.TRAINER):
            raise ProviderError(f"{data.centre_trainer} is not an accredited AFC (Centre) trainer.")
        dates = sorted(set(data.dates))
        if not dates:
            raise ProviderError("Give the training's dates.")
        run = CourseRun.objects.create(
            course=data.course,
            label=data.label,
            status=RunStatus.DRAFT,
            mode=data.mode,
            venue=data.venue,
            capacity=data.participants,
            application_deadline=dates[0],
            run_by_centre=False,
            notes=f"Delivered by {provider.name}.",
        )
        days = RunDay.objects.bulk_create(RunDay(run=run, date=date) for date in dates)
        people = [
            (trainer.person, TrainerRole.LEAD if index == 0 else TrainerRole.SUPPORT)
            for index, trainer in enumerate(trainers)
        ]
        if data.centre_trainer is not None and data.centre_trainer not in [person for person, _role in people]:
            people.append((data.centre_trainer, TrainerRole.LEAD))
        for person, role in people:
            run_trainer = RunTrainer.objects.create(run=run, trainer=person, role=role)
            TrainerDay.objects.bulk_create(TrainerDay(run_trainer=run_trainer, day=day, role=role) for day in days)
        delivery = Delivery.objects.create(
            provider=provider,
            run=run,
            country=data.country,
            participants=data.participants,
            centre_trainer=data.centre_trainer,
            starts_on=dates[0],
            ends_on=dates[-1],
            reported_by=by,
        )
        delivery.trainers.set(trainers)
        log_action(
            delivery,
            "providers.delivery.reported",
            user=by,
            data={"run": run.pk, "country": data.country, "participants": data.participants, "first": is_first},
        )
    return delivery


# Uploads -------------------------------------------------------------------------------


def upload_supervision_record(provider, *, afc_trainer, date, hours, upload, by):
    hours = Decimal(hours)
    if hours <= 0:
        raise ProviderError("Hours of supervision must be above zero.")
    if date > timezone.localdate():
        raise ProviderError("The supervision date cannot be in the future.")
    if not holds_credential(afc_trainer, CredentialKind.TRAINER):
        raise ProviderError(f"{afc_trainer} is not an accredited AFC (Centre) trainer.")
    upload = _validated(upload, (PDF,))
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _require_reporting(provider)
        record = SupervisionRecord(
            provider=provider,
            afc_trainer=afc_trainer,
            date=date,
            hours=hours,
            original_name=shown_name(upload.name),
            uploaded_by=by,
        )
        record.record.save(upload.name, upload, save=False)
        record.save()
        log_action(record, "providers.supervision_record.uploaded", user=by, data={"hours": hours, "date": date})
    return record


def _review(model, obj, *, approve, note, by):
    new_status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    note = (note or "").strip()
    if not approve and not note:
        raise ProviderError("Say why it is returned; the provider sees it.")
    obj = model.objects.select_for_update().get(pk=obj.pk)
    _refuse_unless_review(obj, new_status)
    obj.review_status = new_status
    obj.review_note = note
    obj.reviewed_by = by
    fields = ["review_status", "review_note", "reviewed_by"]
    if hasattr(obj, "reviewed_at"):
        obj.reviewed_at = timezone.now()
        fields.append("reviewed_at")
    obj.save(update_fields=fields)
    return obj


def _refuse_unless_review(obj, new_status):
    if new_status not in REVIEW_STATUS_CHANGES[obj.review_status]:
        raise ProviderError(f"This has already been reviewed: {obj.get_review_status_display().lower()}.")


def review_supervision_record(record, *, approve, note="", by):
    with transaction.atomic():
        record = _review(SupervisionRecord, record, approve=approve, note=note, by=by)
        log_action(record, f"providers.supervision_record.{record.review_status}", user=by, data={"note": note})
    return record


def check_completer_list(upload):
    """Validate the file and every row; ProviderError lists all the errors found."""
    _validated(upload, (CSV, XLSX_WORKBOOK))
    try:
        parsed = parse_completer_list(upload)
    except ValidationError as error:
        raise ProviderError(" ".join(error.messages)) from None
    if parsed.errors:
        raise ProviderError(
            f"The list has {len(parsed.errors)} error(s); nothing was saved. Correct them and upload it again.",
            errors=parsed.errors,
        )
    return parsed.rows


def submit_completer_list(provider, *, delivery, upload, by):
    rows = check_completer_list(upload)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        _require_reporting(provider)
        if delivery.provider_id != provider.pk:
            raise ProviderError("Choose one of your own trainings.")
        completer_list = CompleterList(
            provider=provider, delivery=delivery, original_name=shown_name(upload.name), uploaded_by=by
        )
        upload.seek(0)
        completer_list.file.save(upload.name, upload, save=False)
        completer_list.save()
        Completer.objects.bulk_create(
            Completer(
                completer_list=completer_list,
                row_number=row.row_number,
                full_name=row.full_name,
                email=row.email,
                profession=row.profession,
                registration=row.registration,
                result=row.result,
            )
            for row in rows
        )
        log_action(
            completer_list,
            "providers.completer_list.uploaded",
            user=by,
            data={"rows": len(rows), "delivery": delivery.pk},
        )
    return completer_list


def accounts_on_approval(completer_list):
    """What approving `completer_list` does to each of its rows: [(row, the account it is
    linked to, or None when a new account is created)]. The confirmation page shows it; the
    review does it."""
    rows = list(completer_list.rows.all())
    known = {user.email: user for user in User.objects.filter(email__in=[row.email for row in rows])}
    return [(row, known.get(row.email)) for row in rows]


def review_completer_list(completer_list, *, approve, note="", by):
    """Approving brings the people into the portal: linked to an account already known by
    e-mail, or given a new account (without a password: they sign in by e-mailed code or reset)."""
    with transaction.atomic():
        completer_list = _review(CompleterList, completer_list, approve=approve, note=note, by=by)
        linked = created = 0
        if approve:
            rows = []
            for row, person in accounts_on_approval(completer_list):
                rows.append(row)
                if person is None:
                    person = User.objects.create_user(email=row.email, password=None, full_name=row.full_name)
                    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
                    created += 1
                else:
                    linked += 1
                row.person = person
            Completer.objects.bulk_update(rows, ["person"])
        log_action(
            completer_list,
            f"providers.completer_list.{completer_list.review_status}",
            user=by,
            data={"note": note, "linked": linked, "created": created},
        )
        send_templated_email(
            "providers/emails/upload_reviewed",
            {
                "provider": completer_list.provider,
                "upload": completer_list,
                "what": "completer list",
                "url": reverse("providers:uploads", kwargs={"provider_id": completer_list.provider_id}),
            },
            to=_member_addresses(completer_list.provider),
        )
    return completer_list


def record_network_event(provider, *, trainer, event, date, by):
    if date > timezone.localdate():
        raise ProviderError("The event date cannot be in the future.")
    if not event.strip():
        raise ProviderError("Name the network event.")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if trainer.provider_id != provider.pk:
            raise ProviderError("Choose one of your own trainers.")
        attendance = NetworkEventAttendance.objects.create(
            provider=provider, trainer=trainer, event=event, date=date, uploaded_by=by
        )
        log_action(
            attendance,
            "providers.network_event.recorded",
            user=by,
            data={"trainer": trainer.person.email, "date": date},
        )
    return attendance
