from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from dit_portal.files import GeneratedName, PrivateFileField

from .enums import CREDENTIAL_TRANSITIONS, CredentialKind, CredentialRoute, CredentialStatus, RegistrationBody


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_staff", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the portal; they log in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False,
        help_text="Kept for Django's own tooling; admin access follows the Coordinator and Programme Director roles.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["full_name", "email"]
        permissions = [("erase_user", "Can erase (anonymise) a person")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]


class HeldCredential(models.Model):
    """A credential a person holds (or is working towards), whichever app granted it."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    status = models.CharField(max_length=20, choices=CredentialStatus.choices, default=CredentialStatus.IN_PROGRESS)
    accredited_on = models.DateField(
        null=True, blank=True, help_text="When it was first accredited; may be earlier than the portal."
    )
    route = models.CharField(max_length=30, choices=CredentialRoute.choices, blank=True)
    note = models.TextField(blank=True, help_text="For coordinators: where this record comes from.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["holder", "kind"]
        constraints = [models.UniqueConstraint(fields=["holder", "kind"], name="one_credential_of_a_kind_per_person")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()}): {self.holder}"

    @property
    def open_statuses(self):
        """The statuses this credential may move to next."""
        return CREDENTIAL_TRANSITIONS[self.status]


class CredentialEvent(models.Model):
    """The history of a held credential: each change of status, with who and why."""

    credential = models.ForeignKey(HeldCredential, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    effective_on = models.DateField(default=timezone.localdate, help_text="The day the change took effect.")
    from_status = models.CharField(max_length=20, choices=CredentialStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CredentialStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["credential", "effective_on"])]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


# Person profile (registration, region, supervision experience) ----------------------------


class PersonProfile(models.Model):
    """What a practitioner tells the Centre about their registration, where they work and
    their general supervision experience (D11: verified by a coordinator against evidence)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    registration_body = models.CharField(max_length=10, choices=RegistrationBody.choices, blank=True)
    registration_number = models.CharField(max_length=50, blank=True)
    registration_full = models.BooleanField("full registration", null=True, blank=True)
    registration_valid_until = models.DateField("registration valid until", null=True, blank=True)
    country = CountryField(blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="E.g. “North West” or “Ontario”.")
    nhs_employer = models.CharField(
        "NHS Talking Therapies employer", max_length=200, blank=True, help_text="The service you work for, if any."
    )
    supervision_years = models.DecimalField(
        "years of general supervision experience",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="High-intensity NHS Talking Therapies supervision or equivalent.",
    )
    supervision_evidence = PrivateFileField(upload_to=GeneratedName("profiles"), blank=True, max_length=200)
    supervision_evidence_name = models.CharField(max_length=255, blank=True, editable=False)
    supervision_verified_at = models.DateTimeField("experience verified at", null=True, blank=True)
    supervision_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS = ["registration_number", "region", "nhs_employer"]

    class Meta:
        verbose_name = "person profile"

    def __str__(self):
        return f"Profile of {self.person}"

    @property
    def supervision_verified(self):
        return self.supervision_verified_at is not None

    def get_evidence_url(self):
        return reverse("members:profile_evidence", kwargs={"pk": self.pk}) if self.supervision_evidence else ""
