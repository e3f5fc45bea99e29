from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField

from dit_portal.files import GeneratedName, PrivateFileField
from trainings.models import CourseRun

from .enums import (
    APPLICATION_STATUS_CHANGES,
    INVOICE_STATUS_CHANGES,
    PROVIDER_STATUS_CHANGES,
    ApplicationStatus,
    CompleterResult,
    Criterion,
    FeeKind,
    InvoiceKind,
    InvoiceStatus,
    ProviderStatus,
    ReviewStatus,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class Provider(models.Model):
    """An organisation outside the UK licensed (or applying) to deliver DIT trainings."""

    name = models.CharField(max_length=200)
    home_country = CountryField()
    licensed_countries = CountryField(multiple=True, help_text="The countries the licensing agreement allows.")
    status = models.CharField(
        max_length=20, choices=ProviderStatus.choices, default=ProviderStatus.APPLICANT, db_index=True
    )
    accredited_on = models.DateField(null=True, blank=True, help_text="First accreditation.")
    licence_starts_on = models.DateField(null=True, blank=True)
    licence_ends_on = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True, help_text="Printed on invoices.")
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("providers:dashboard", kwargs={"provider_id": self.pk})

    def allowed_status_changes(self):
        return PROVIDER_STATUS_CHANGES[self.status]


class ProviderMembership(models.Model):
    """A person who acts for the provider in the portal (a provider user)."""

    PRIVACY = {"subject": ["user"], "mentions": []}

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "user__email"]
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="one_membership_per_provider")]

    def __str__(self):
        return f"{self.user} at {self.provider}"


class ProviderInvitation(models.Model):
    """An e-mailed invitation to become a provider user; its link carries a signed token."""

    PRIVACY = {"subject": ["accepted_by"], "mentions": ["invited_by"]}
    PERSONAL_FIELDS = ("email",)
    FOUND_BY_EMAIL = "email"  # an invitation not yet accepted is the invited person's too

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.provider}"


class ProviderTrainer(models.Model):
    """A DIT trainer the provider employs, linked to the person (and so their credentials)."""

    PRIVACY = {"subject": ["person"], "mentions": []}

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="trainers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_trainer_roles"
    )
    added_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["provider", "person"], name="one_trainer_row_per_person")]

    def __str__(self):
        return str(self.person)


class LicenceApplication(models.Model):
    """The provider's initial application: the six criteria, with evidence."""

    PRIVACY = {"subject": [], "mentions": ["applicant", "decided_by"]}

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="application")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    training_countries = models.TextField(
        "where and whom you will train", help_text="The teams outside the UK you will train, and where."
    )
    qualified_trainer_email = models.EmailField(
        "e-mail of your Centre-trained DIT trainer",
        help_text="The trainer's portal account: their Centre training, credentials and shadowing are read from it.",
    )
    second_trainer_email = models.EmailField("e-mail of a second DIT trainer", blank=True)
    second_trainer_plan = models.TextField("how you will have two trainers within 2 years", blank=True)
    dit_practice = models.TextField("DIT treatment and supervision you provide now")
    involvement = models.TextField("involvement in academic, research and practice settings")
    delivery_plan_summary = models.TextField("your plan for delivering training and associated services")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True, help_text="Shown to the applicant.")
    override_reason = models.TextField(
        blank=True, help_text="Why the Director approved with a criterion not met (kept for the Centre, not shown)."
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "licence application"

    def __str__(self):
        return f"Licence application of {self.provider}"

    def allowed_status_changes(self):
        return APPLICATION_STATUS_CHANGES[self.status]

    @property
    def is_decided(self):
        return self.status != ApplicationStatus.SUBMITTED

    @property
    def is_approved(self):
        return self.status == ApplicationStatus.APPROVED


class ApplicationEvidence(models.Model):
    application = models.ForeignKey(LicenceApplication, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.PositiveSmallIntegerField(choices=Criterion.choices)
    file = PrivateFileField(upload_to=GeneratedName("providers/application"))
    original_name = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["criterion", "id"]
        verbose_name_plural = "application evidence"

    def __str__(self):
        return self.original_name


class FeeScheduleEntry(models.Model):
    """One fee providers pay; coordinators edit the amounts."""

    kind = models.CharField(max_length=30, choices=FeeKind.choices, unique=True)
    description = models.CharField(max_length=200, help_text="As printed on invoices.")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.00"))])
    unit = models.CharField(max_length=40, blank=True, help_text="E.g. “hour”; empty for a flat fee.")
    minimum_quantity = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="For supervision: the hours required in the year after the first training delivery.",
    )
    currency = models.CharField(max_length=3, default="GBP", editable=False)
    vat_applies = models.BooleanField("VAT applies", default=False)
    vat_rate = models.DecimalField(
        "VAT rate (%)", max_digits=5, decimal_places=2, default=Decimal("20.00"), help_text="Used when VAT applies."
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "fee schedule entry"
        verbose_name_plural = "fee schedule"

    def __str__(self):
        suffix = f" per {self.unit}" if self.unit else ""
        return f"{self.description}: {self.currency} {self.amount:,.2f}{suffix}"


class InvoiceCounter(models.Model):
    """The last invoice number given; locked while the next one is taken, so numbers have no gaps."""

    name = models.CharField(max_length=30, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_number}"


class ImmutableInvoiceError(Exception):
    pass


class Invoice(models.Model):
    """An invoice or credit note. Once issued only its status and payment change."""

    PRIVACY = {"subject": [], "mentions": ["issued_by"]}

    MUTABLE_FIELDS = frozenset({"status", "paid_on", "status_changed_at"})

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField(unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    credits = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text="For credit notes.",
    )
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    issued_on = models.DateField()
    due_on = models.DateField()
    currency = models.CharField(max_length=3, default="GBP")
    bill_to = models.TextField(help_text="Name and address as printed.")
    note = models.TextField(blank=True)
    net_total = models.DecimalField(**MONEY)
    vat_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    paid_on = models.DateField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["provider", "-number"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.display_number}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS):
            raise ImmutableInvoiceError(f"{self} is issued: only its status and payment may change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableInvoiceError(f"{self} is issued and cannot be deleted; issue a credit note.")

    @property
    def is_credit_note(self):
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def display_number(self):
        prefix = "CN" if self.kind == InvoiceKind.CREDIT_NOTE else "INV"
        return f"{prefix}-{self.number:06d}"

    def allowed_status_changes(self):
        return INVOICE_STATUS_CHANGES[self.status]

    @property
    def amount_paid(self):
        return sum((payment.amount for payment in self.payments.all()), Decimal("0.00"))

    @property
    def balance(self):
        return self.total - self.amount_paid


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    fee = models.ForeignKey(FeeScheduleEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("1.00"))
    unit_price = models.DecimalField(**MONEY)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    net_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableInvoiceError("Lines of an issued invoice never change; issue a credit note.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableInvoiceError("Lines of an issued invoice never change; issue a credit note.")


class Payment(models.Model):
    PRIVACY = {"subject": [], "mentions": ["recorded_by"]}

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(CENT)])
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.amount} on {self.received_on}"


class Delivery(models.Model):
    """A training the provider delivers: a course run not run by the Centre."""

    PRIVACY = {"subject": [], "mentions": ["centre_trainer", "reported_by"]}

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="deliveries")
    run = models.OneToOneField(CourseRun, on_delete=models.PROTECT, related_name="provider_delivery")
    country = CountryField()
    participants = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    trainers = models.ManyToManyField(ProviderTrainer, related_name="deliveries")
    centre_trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="co-delivering Centre trainer",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.run.course.title}, {self.run.label}"


class SupervisionRecord(models.Model):
    """Supervision of the provider's training and delivery by an AFC trainer."""

    PRIVACY = {"subject": [], "mentions": ["afc_trainer", "uploaded_by", "reviewed_by"]}

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="supervision_records")
    afc_trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(CENT)])
    record = PrivateFileField(upload_to=GeneratedName("providers/supervision"))
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    review_note = models.TextField(blank=True, help_text="Shown to the provider.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        permissions = [("review_supervisionrecord", "Can approve or return supervision records")]
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="supervision_hours_positive")]

    def __str__(self):
        return f"{self.hours} h with {self.afc_trainer} on {self.date}"

    @property
    def is_awaiting_review(self):
        return self.review_status == ReviewStatus.SUBMITTED

    @property
    def hours_text(self):
        return f"{self.hours.normalize():f}"


class CompleterList(models.Model):
    """The people who completed one of the provider's trainings, as uploaded."""

    PRIVACY = {"subject": [], "mentions": ["uploaded_by", "reviewed_by"]}

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="completer_lists")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="completer_lists")
    file = PrivateFileField(upload_to=GeneratedName("providers/completers"))
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    review_note = models.TextField(blank=True, help_text="Shown to the provider.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("review_completerlist", "Can approve or return lists of completers")]
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"Completers of {self.delivery} ({self.original_name})"

    @property
    def is_awaiting_review(self):
        return self.review_status == ReviewStatus.SUBMITTED


class Completer(models.Model):
    PRIVACY = {"subject": ["person"], "mentions": []}

    PERSONAL_FIELDS = ("full_name", "email", "profession", "registration")
    FOUND_BY_EMAIL = "email"  # a row not yet tied to an account is found by its address
    completer_list = models.ForeignKey(CompleterList, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    profession = models.CharField(max_length=200)
    registration = models.CharField(max_length=200, blank=True)
    result = models.CharField(max_length=20, choices=CompleterResult.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["completer_list", "email"], name="one_row_per_completer")]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"


class NetworkEventAttendance(models.Model):
    """A trainer's attendance at an accredited DIT training centre network event."""

    PRIVACY = {"subject": ["trainer__person"], "mentions": ["uploaded_by"]}

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="network_events")
    trainer = models.ForeignKey(ProviderTrainer, on_delete=models.PROTECT, related_name="network_events")
    event = models.CharField("event", max_length=200)
    date = models.DateField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "network event attendance"
        verbose_name_plural = "network event attendance"

    def __str__(self):
        return f"{self.trainer} at {self.event} ({self.date})"
