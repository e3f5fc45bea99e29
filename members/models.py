from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from dit_portal.achievements import CREDENTIAL, Achievement
from dit_portal.files import GeneratedName, PrivateFileField

from .enums import (
    CREDENTIAL_TRANSITIONS,
    MEMBERSHIP_TRANSITIONS,
    CredentialKind,
    CredentialRoute,
    CredentialStatus,
    EligibilityRoute,
    MeetingMode,
    MembershipStatus,
    RegistrationBody,
    ResourceKind,
)


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

    def name_and_email(self):
        """The person as shown wherever someone is chosen or listed for a decision: two
        people with the same name are told apart by their e-mail address."""
        return f"{self.full_name} ({self.email})" if self.full_name else self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]


class HeldCredential(models.Model):
    """A credential a person holds (or is working towards), whichever app granted it."""

    PRIVACY = {"subject": ["holder"], "mentions": []}
    PERSONAL_FIELDS = ("note",)

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

    def certificate_achievements(self):
        """An accredited credential is certified from its accreditation date."""
        if self.status != CredentialStatus.ACCREDITED or self.accredited_on is None:
            return []
        return [
            Achievement(
                holder=self.holder,
                title=self.get_kind_display(),
                kind=CREDENTIAL,
                achieved_on=self.accredited_on,
                source=self,
                description="Accredited by the Anna Freud Centre",
            )
        ]


class CredentialEvent(models.Model):
    """The history of a held credential: each change of status, with who and why."""

    PRIVACY = {"subject": ["credential__holder"], "mentions": ["by"]}
    PERSONAL_FIELDS = ("note",)

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

    PRIVACY = {"subject": ["person"], "mentions": ["supervision_verified_by"]}

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
    on_register = models.BooleanField(
        "list me on the public register",
        default=False,
        help_text="Employers can then find your name, region and the DIT credentials you hold now "
        "(never your e-mail address). Untick it to leave the register at once.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS = ["registration_number", "region", "nhs_employer", "supervision_evidence_name"]

    class Meta:
        verbose_name = "person profile"
        indexes = [models.Index(fields=["person"], condition=models.Q(on_register=True), name="profile_on_register")]

    def __str__(self):
        return f"Profile of {self.person}"

    @property
    def supervision_verified(self):
        return self.supervision_verified_at is not None

    def get_evidence_url(self):
        return reverse("members:profile_evidence", kwargs={"pk": self.pk}) if self.supervision_evidence else ""


# Members-only resources ------------------------------------------------------------------


class ResourceGroup(models.Model):
    """A heading under which members-only resources are listed (e.g. "Forms", "Recordings")."""

    title = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class MemberResource(models.Model):
    """A document or link only members see; coordinators manage them in the admin."""

    group = models.ForeignKey(ResourceGroup, on_delete=models.PROTECT, related_name="resources")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=ResourceKind.choices, default=ResourceKind.DOCUMENT)
    url = models.URLField("link", blank=True, help_text="For a link: where it leads.")
    file = PrivateFileField(upload_to=GeneratedName("members/resources"), blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True, editable=False, help_text="The uploaded file's name.")
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group__position", "group__title", "title", "pk"]
        indexes = [models.Index(fields=["is_published", "group", "title"])]

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == ResourceKind.LINK and not self.url:
            raise ValidationError({"url": "A link needs the address it leads to."})
        if self.kind == ResourceKind.DOCUMENT and not self.file:
            raise ValidationError({"file": "A document needs its file."})

    @property
    def is_link(self):
        return self.kind == ResourceKind.LINK

    def get_download_url(self):
        return reverse("members:resource_download", kwargs={"pk": self.pk}) if self.file else ""


# Regional DIT networks -------------------------------------------------------------------


class Network(models.Model):
    """A regional network of DIT clinicians (e.g. the North-West network)."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    region = models.CharField(max_length=300, help_text="The area it covers, as shown to the public.")
    summary = models.CharField(max_length=300, help_text="One or two sentences for the list of networks.")
    description = models.TextField(help_text="Markdown: its history and aims.")
    rhythm = models.CharField(max_length=200, help_text="How often and where it meets, e.g. “Every two months”.")
    usual_venue = models.CharField(max_length=300, blank=True)
    core_members = models.CharField(
        "core membership", max_length=200, blank=True, help_text="As published, e.g. “Around 13 core members”."
    )
    eligibility = models.TextField(help_text="Who may join, as shown to the public.")
    is_published = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:network_detail", kwargs={"slug": self.slug})


class NetworkContact(models.Model):
    """Someone to contact about a network; shown to its members only."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    phone = models.CharField(max_length=50, blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class NetworkMeeting(models.Model):
    """One meeting of a network. Attendance recorded by coordinators counts as CPD."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True, help_text="Shown to network members only.")
    agenda = models.TextField(blank=True, help_text="Markdown.")
    hours = models.DecimalField(
        "CPD hours",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    counts_as_yearly_cpd_event = models.BooleanField(
        "counts as the yearly CPD event",
        default=False,
        help_text="Attending it meets the yearly CPD event for trainers and supervisors.",
    )
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["network", "starts_at"])]

    def __str__(self):
        return f"{self.network}: {self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"

    def clean(self):
        if self.mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not self.online_link:
            raise ValidationError({"online_link": "An online meeting needs its link."})
        if self.mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not self.venue:
            raise ValidationError({"venue": "A meeting in person needs its venue."})


class NetworkMembership(models.Model):
    """A person's membership of a network. Its status changes only through the services."""

    PRIVACY = {"subject": ["person"], "mentions": ["decided_by"]}

    # Blanked when the person is erased (members/privacy.py): what they wrote about themselves
    # and what a coordinator wrote about them.
    PERSONAL_FIELDS = ("declaration", "decision_note")

    # A network with members is not deleted (unpublish it instead): memberships are history.
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships")
    status = models.CharField(max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.PENDING)
    route = models.CharField("eligible through", max_length=12, choices=EligibilityRoute.choices)
    declaration = models.TextField(blank=True, help_text="What the person declared, when the portal could not tell.")
    requested_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["network", "person"]
        constraints = [models.UniqueConstraint(fields=["network", "person"], name="one_membership_per_network")]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self):
        return f"{self.person} in {self.network} ({self.get_status_display()})"

    def can_become(self, status):
        return status in MEMBERSHIP_TRANSITIONS[self.status]

    @property
    def is_pending(self):
        return self.status == MembershipStatus.PENDING

    @property
    def is_declined(self):
        return self.status == MembershipStatus.DECLINED


class MeetingAttendance(models.Model):
    """A person recorded by a coordinator as having attended a network meeting."""

    PRIVACY = {"subject": ["person"], "mentions": ["recorded_by"]}

    # Attendance is CPD evidence: a meeting someone attended is not deleted.
    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_attended")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting__starts_at", "person"]
        verbose_name_plural = "meeting attendance"
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_meeting")]

    def __str__(self):
        return f"{self.person} at {self.meeting}"


class ContactMessage(models.Model):
    """A message sent through the contact page; the coordinators get it by e-mail and read it
    in the admin. Their own addresses are never shown to the sender."""

    PRIVACY = {"subject": ["sender"], "mentions": []}

    class Topic(models.TextChoices):
        TRAINING = "training", "A training or an application"
        ACCREDITATION = "accreditation", "Accreditation, supervision or CPD"
        MEMBERS = "members", "The members area or my account"
        PROVIDERS = "providers", "Overseas training providers"
        OTHER = "other", "Something else"

    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    message = models.TextField(max_length=5000)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_messages",
        help_text="The signed-in person who sent it, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Erasing the sender (members.privacy) blanks what they wrote. A message sent before
    # signing in, or without an account, is theirs too when it gave their address.
    PERSONAL_FIELDS = ("name", "email", "message")
    FOUND_BY_EMAIL = "email"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "contact message"

    def __str__(self):
        return f"{self.name}: {self.get_topic_display()} ({self.created_at:%-d %b %Y})"
