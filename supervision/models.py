"""The supervision ledger: a practitioner's anonymised cases, the DIT therapy hours and
supervision sessions logged against them, rated recordings, CPD records, and the public
directory entries of supervisors who opted in.

Nothing here names a patient: cases are known by a code the practitioner chooses, and the
services refuse codes and notes that look like a personal name or an NHS number. Fields
that carry a rule (session status, recording rating, close-supervision confirmation)
change only through `supervision.services`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_countries.fields import CountryField

from .enums import (
    PRACTITIONER_DECISIONS,
    RATING_TRANSITIONS,
    SESSION_TRANSITIONS,
    SUPERVISOR_DECISIONS,
    CasePurpose,
    CpdKind,
    Modality,
    RecordingPhase,
    RecordingRating,
    SessionFormat,
    SessionStatus,
    SupervisionKind,
)

SESSION_MAX_HOURS = Decimal("8")
HOURS_PRECISION = {"max_digits": 5, "decimal_places": 2}
POSITIVE_HOURS = MinValueValidator(Decimal("0.01"))


class Case(models.Model):
    """One anonymised DIT case of a practitioner, known only by the code they chose (unique
    per practitioner). Its purpose says which route it serves (practitioner training,
    supervisor training or ordinary practice); two cases are concurrent when their date
    ranges overlap (an open case runs to today). The named supervisor rates its recordings
    and, for the 20-day route (D6), confirms it was closely supervised to the end."""

    PRIVACY = {"subject": ["practitioner"], "mentions": ["supervisor", "close_supervision_confirmed_by"]}

    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dit_cases")
    code = models.CharField(
        "case code",
        max_length=20,
        help_text="A code of your own, e.g. “C-2026-01”. Never a patient's name, initials or NHS number.",
    )
    purpose = models.CharField(max_length=30, choices=CasePurpose.choices)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_cases",
        help_text="The DIT supervisor of this case; required for training cases.",
    )
    started_on = models.DateField("first session on")
    ended_on = models.DateField("last session on", null=True, blank=True, help_text="Empty while the case is open.")
    seen_in_person = models.BooleanField("seen in person", default=False)
    note = models.TextField(blank=True, max_length=1000, help_text="Optional; no names or identifying details.")
    close_supervision_confirmed_at = models.DateTimeField(
        "confirmed as closely supervised to the end", null=True, blank=True
    )
    close_supervision_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Blanked when the person is erased (members.privacy).
    PERSONAL_FIELDS = ("note",)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "code"], name="one_case_code_per_practitioner"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="case_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.practitioner})"

    def overlaps(self, other, *, today=None):
        """Whether the two cases ran at the same time for at least one day."""
        today = today or timezone.localdate()
        return self.started_on <= (other.ended_on or today) and other.started_on <= (self.ended_on or today)

    @property
    def closely_supervised(self):
        return self.close_supervision_confirmed_at is not None


class TherapyHours(models.Model):
    """DIT therapy hours a practitioner gave on one date to one of their cases."""

    PRIVACY = {"subject": ["case__practitioner"], "mentions": []}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="therapy_hours")
    date = models.DateField()
    hours = models.DecimalField(**HOURS_PRECISION, validators=[POSITIVE_HOURS, MaxValueValidator(SESSION_MAX_HOURS)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "therapy hours"
        verbose_name_plural = "therapy hours"
        indexes = [models.Index(fields=["case", "date"])]

    def __str__(self):
        return f"{self.case.code}: {self.hours} h on {self.date}"


class SupervisionSession(models.Model):
    """A supervision session a practitioner logged, with the supervisor they name. It counts
    (D5) only once that supervisor has confirmed it; they may dispute it instead, with a
    reason; until then the practitioner may withdraw it. Each outcome is reached once
    (SESSION_TRANSITIONS) and records who and when."""

    PRIVACY = {"subject": ["practitioner"], "mentions": ["supervisor", "decided_by"]}

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_given")
    date = models.DateField()
    hours = models.DecimalField(**HOURS_PRECISION, validators=[POSITIVE_HOURS, MaxValueValidator(SESSION_MAX_HOURS)])
    format = models.CharField(max_length=20, choices=SessionFormat.choices, default=SessionFormat.INDIVIDUAL)
    kind = models.CharField(max_length=20, choices=SupervisionKind.choices, default=SupervisionKind.FORMAL)
    cases = models.ManyToManyField(Case, blank=True, related_name="supervision_sessions")
    note = models.TextField(blank=True, max_length=1000, help_text="Optional; no patient names.")
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute_reason = models.TextField(blank=True, help_text="Shown to the practitioner.")
    decided_on_behalf = models.BooleanField(
        default=False, help_text="Decided by a coordinator for the named supervisor, who was e-mailed."
    )
    on_behalf_reason = models.TextField(blank=True, help_text="Why a coordinator decided for the supervisor.")
    created_at = models.DateTimeField(auto_now_add=True)

    # Blanked when the practitioner is erased (members.privacy), with what the supervisor
    # wrote about their session; erasing the supervisor leaves them whole.
    PERSONAL_FIELDS = ("note", "dispute_reason")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "supervision session"
        indexes = [
            models.Index(fields=["practitioner", "status", "date"]),
            models.Index(fields=["supervisor", "status"]),
            # The admin's list, newest first, over every session logged.
            models.Index(fields=["-date", "-id"], name="session_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=SESSION_MAX_HOURS), name="session_hours_within_a_day"
            ),
            models.CheckConstraint(condition=~Q(practitioner=F("supervisor")), name="no_self_supervision"),
        ]

    def __str__(self):
        return f"{self.practitioner}: {self.hours} h with {self.supervisor} on {self.date}"

    @property
    def awaiting_decision(self):
        """Whether the supervisor may still confirm or dispute it."""
        return any(status in SUPERVISOR_DECISIONS for status in SESSION_TRANSITIONS[self.status])

    @property
    def can_withdraw(self):
        return any(status in PRACTITIONER_DECISIONS for status in SESSION_TRANSITIONS[self.status])


class Recording(models.Model):
    """A recorded therapy session of a case, in its initial, middle or ending phase, rated
    by the case's supervisor: pass or not yet (D4; a later pass replaces a not yet). The
    recording itself is shared with the supervisor outside the portal; only its rating is
    kept here."""

    PRIVACY = {"subject": ["case__practitioner"], "mentions": ["rated_by"]}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recordings")
    phase = models.CharField(max_length=20, choices=RecordingPhase.choices)
    session_date = models.DateField("date of the recorded session")
    note = models.TextField(blank=True, max_length=1000, help_text="Optional; no patient names.")
    rating = models.CharField(max_length=20, choices=RecordingRating.choices, default=RecordingRating.AWAITING)
    rated_at = models.DateTimeField(null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField(blank=True, help_text="The supervisor's comments, shown to the practitioner.")
    rated_on_behalf = models.BooleanField(
        default=False, help_text="Rated by a coordinator for the case's supervisor, who was e-mailed."
    )
    on_behalf_reason = models.TextField(blank=True, help_text="Why a coordinator rated it for the supervisor.")
    created_at = models.DateTimeField(auto_now_add=True)

    # Blanked when the practitioner is erased (members.privacy), with the supervisor's
    # feedback about their recording.
    PERSONAL_FIELDS = ("note", "feedback")

    class Meta:
        ordering = ["session_date", "id"]
        indexes = [models.Index(fields=["case", "rating"])]

    def __str__(self):
        return f"{self.case.code}: {self.get_phase_display().lower()} ({self.get_rating_display().lower()})"

    @property
    def open_ratings(self):
        return RATING_TRANSITIONS[self.rating]


class CpdRecord(models.Model):
    """A CPD event a person attended, with its hours (D2: recorded, no minimum)."""

    PRIVACY = {"subject": ["person"], "mentions": []}

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cpd_records")
    title = models.CharField("event", max_length=200)
    kind = models.CharField(max_length=20, choices=CpdKind.choices)
    date = models.DateField()
    hours = models.DecimalField(**HOURS_PRECISION, validators=[POSITIVE_HOURS, MaxValueValidator(Decimal("100"))])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "CPD record"
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.title} ({self.date})"


class SupervisorListing(models.Model):
    """A supervisor's entry in the public directory: shown only while they opt in and hold
    the DIT Supervisor credential as accredited. Their e-mail address is never shown;
    visitors write to them through the portal."""

    PRIVACY = {"subject": ["supervisor"], "mentions": []}

    supervisor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_listing"
    )
    is_listed = models.BooleanField("list me in the public directory", default=False)
    display_name = models.CharField(max_length=120)
    country = CountryField()
    region = models.CharField(max_length=100, blank=True, help_text="E.g. “London” or “Ontario”.")
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.ONLINE)
    note = models.CharField(
        "short note", max_length=300, blank=True, help_text="E.g. languages, availability, client groups."
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Blanked when the person is erased (members.privacy).
    PERSONAL_FIELDS = ("display_name", "region", "note")

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = "supervisor directory entry"
        verbose_name_plural = "supervisor directory entries"
        indexes = [models.Index(fields=["is_listed", "country", "region"])]

    def __str__(self):
        return self.display_name
