import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dit_portal.achievements import COURSE_COMPLETION, Achievement
from dit_portal.files import GeneratedName, PrivateFileField
from members.enums import CredentialKind

from .enums import (
    ASKED_ANSWER_TYPES,
    CREDENTIAL_ANSWER_TYPES,
    ENDED_WITHOUT_PLACE_STATES,
    AnswerType,
    DeliveryMode,
    EnrolmentStatus,
    EvidenceRule,
    PathwayRole,
    RunStatus,
    TrainerRole,
    enrolment_actions,
    enrolment_can,
)


class Course(models.Model):
    """A catalogue entry: what the training is, who may enrol, what it costs and leads to."""

    title = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the catalogue.")
    description = models.TextField(blank=True, help_text="Markdown: # headings, **bold**, - lists, [links](https://…).")
    length = models.CharField(max_length=100, help_text="As shown to the public, e.g. “5 days” or “1 day, yearly”.")
    level = models.CharField(max_length=100, blank=True, help_text="E.g. “Postgraduate certificate level”, “CPD”.")
    accrediting_body = models.CharField(max_length=150, blank=True)
    audience = models.TextField("who may enrol", help_text="Shown to the public; the entry requirements below apply.")
    leads_to = models.CharField(max_length=300, help_text="E.g. “DIT practitioner status after role-play, …”.")
    leads_to_credential = models.CharField(
        max_length=20,
        choices=CredentialKind.choices,
        blank=True,
        help_text="The credential this course is a step towards, if any.",
    )
    completion_min_attendance_percent = models.PositiveSmallIntegerField(
        "attendance needed to complete (%)",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of a run's days a trainee must attend to complete it (100: every day).",
    )
    payment_instructions = models.TextField(
        "how to pay",
        blank=True,
        help_text="Shown to trainees once they have a place, with the fee (Markdown). Empty: the site-wide text.",
    )
    is_published = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order in the catalogue.")
    pathway_role = models.CharField(
        "role in the accreditation pathways",
        max_length=20,
        choices=PathwayRole.choices,
        blank=True,
        default=PathwayRole.NONE,
        db_index=True,
        help_text="How the accreditation rules read this course (e.g. a second 5-day course counts as the 5-day "
        "route). Empty: none.",
    )
    counts_as_cpd_event = models.BooleanField(
        "counts as the yearly CPD event",
        default=False,
        help_text="Completing a run of this course meets the yearly CPD event trainers must attend (e.g. CPD Day).",
    )

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("trainings:course_detail", kwargs={"slug": self.slug})

    def days_needed_to_complete(self, days_in_run):
        return math.ceil(days_in_run * self.completion_min_attendance_percent / 100)


class CourseFee(models.Model):
    """One line of a course's published fees, e.g. 16 hours of supervision at GBP 150."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="fees")
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("1.00"))
    unit = models.CharField(max_length=40, blank=True, help_text="E.g. “hour”; empty for a flat fee.")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP", editable=False)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "fee line"

    def __str__(self):
        return f"{self.description}: {self.currency} {self.amount}"

    @property
    def amount(self):
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class EntryRequirement(models.Model):
    """One entry criterion of a course, asked of the applicant or read from the portal."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements")
    title = models.CharField(max_length=150, help_text="Names the rule when an applicant does not meet it.")
    question = models.CharField(max_length=300, blank=True, help_text="As asked in the application form.")
    help_text = models.CharField(max_length=300, blank=True)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    minimum = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="For numbers: the least accepted."
    )
    unit = models.CharField(max_length=40, blank=True, help_text="For numbers, e.g. “hours” or “years”.")
    choices = models.TextField(
        blank=True, help_text="For registration: the accepted bodies, one per line (e.g. HCPC, BACP)."
    )
    credential_kind = models.CharField(
        max_length=20, choices=CredentialKind.choices, blank=True, help_text="For credentials: the one required."
    )
    case_by_case = models.BooleanField(
        "coordinators may accept case by case",
        default=False,
        help_text="An applicant who does not meet it is not refused: the application goes to the coordinators "
        "with the reason (e.g. a registration body not in the list).",
    )
    evidence = models.CharField(max_length=10, choices=EvidenceRule.choices, default=EvidenceRule.NONE)
    evidence_hint = models.CharField(
        max_length=200, blank=True, help_text="What to upload, e.g. “your certificate or transcript”."
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "entry requirement"

    def __str__(self):
        return self.title

    @property
    def is_asked(self):
        return self.answer_type in ASKED_ANSWER_TYPES

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        errors = {}
        if self.is_asked and not self.question:
            errors["question"] = "Write the question the applicant answers."
        if self.answer_type == AnswerType.NUMBER and self.minimum is None:
            errors["minimum"] = "A number requirement needs a minimum."
        if self.answer_type == AnswerType.REGISTRATION and not self.choice_list:
            errors["choices"] = "List the registration bodies accepted, one per line."
        if self.answer_type in CREDENTIAL_ANSWER_TYPES and not self.credential_kind:
            errors["credential_kind"] = "Choose the credential required."
        if not self.is_asked and self.evidence != EvidenceRule.NONE:
            errors["evidence"] = "A credential is read from the portal; no upload is asked for."
        if errors:
            raise ValidationError(errors)


class CourseRun(models.Model):
    """A dated delivery of a course (a "live training")."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="runs")
    label = models.CharField(max_length=120, help_text="Tells runs of a course apart, e.g. “Spring 2026, online”.")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT, db_index=True)
    mode = models.CharField("delivery", max_length=20, choices=DeliveryMode.choices)
    venue = models.CharField(max_length=300, blank=True, help_text="Name and address; empty for online runs.")
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    application_deadline = models.DateField(help_text="Applications close at the end of this day.")
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Fee for this run in GBP, if it differs from the course's fee lines.",
    )
    offer_days = models.PositiveSmallIntegerField(
        "days to accept an offered place",
        default=7,
        validators=[MinValueValidator(1)],
        help_text="When a place frees, the first on the waiting list has this long to accept it.",
    )
    notes = models.TextField(blank=True, help_text="Shown on the run's page (Markdown).")
    joining_details = models.TextField(
        blank=True,
        help_text="For online runs: the meeting link and how to join (Markdown). Shown only to trainees with a place.",
    )
    cancellation_reason = models.TextField(
        blank=True, editable=False, help_text="Why the run was cancelled; shown on its page."
    )
    run_by_centre = models.BooleanField(
        "run by the Centre",
        default=True,
        help_text="Off for a training a licensed provider delivers; only the Centre's runs count toward the UK "
        "trainer route.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-application_deadline", "id"]
        verbose_name = "course run"
        indexes = [models.Index(fields=["-application_deadline", "id"], name="run_latest_deadline_first")]

    def __str__(self):
        return f"{self.course.title}: {self.label}"

    def get_absolute_url(self):
        return reverse("trainings:run_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.mode == DeliveryMode.IN_PERSON and not self.venue:
            raise ValidationError({"venue": "An in-person run needs a venue."})

    @property
    def deadline_passed(self):
        return timezone.localdate() > self.application_deadline

    @property
    def is_full(self):
        return self.status == RunStatus.FULL

    @property
    def is_online(self):
        return self.mode == DeliveryMode.ONLINE

    @property
    def is_cancelled(self):
        return self.status == RunStatus.CANCELLED

    def certificate_achievements(self):
        """A certificate of completion for each trainee who completed this run."""
        dates = [day.date for day in self.days.all()]
        if not dates:
            return []
        first, last = min(dates), max(dates)
        when = f"{first:%-d %B %Y}" if first == last else f"{first:%-d %B %Y} to {last:%-d %B %Y}"
        description = f"{self.course.length}, {when}" if self.course.length else when
        completed = self.enrolments.filter(status=EnrolmentStatus.COMPLETED).select_related("trainee")
        return [
            Achievement(
                holder=enrolment.trainee,
                title=self.course.title,
                kind=COURSE_COMPLETION,
                achieved_on=last,
                source=enrolment,
                description=description,
            )
            for enrolment in completed.order_by("trainee__full_name", "pk")
        ]


class RunDay(models.Model):
    """One teaching day of a run; a run's days need not be consecutive."""

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["run", "date"], name="one_run_day_per_date")]

    def __str__(self):
        return self.date.strftime("%a %-d %b %Y")


class RunTrainer(models.Model):
    """A trainer on a run, with the role they mainly hold on it."""

    PRIVACY = {"subject": ["trainer"], "mentions": []}

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="trainers")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="runs_trained")
    role = models.CharField(max_length=20, choices=TrainerRole.choices)

    class Meta:
        ordering = ["run", "role", "trainer__full_name"]
        constraints = [models.UniqueConstraint(fields=["run", "trainer"], name="one_role_per_trainer_and_run")]

    def __str__(self):
        return f"{self.trainer} ({self.get_role_display()})"


class TrainerDay(models.Model):
    """The role a trainer actually held on one day of a run, for the trainer pathway."""

    PRIVACY = {"subject": ["run_trainer__trainer"], "mentions": []}

    # Recorded days are the trainer pathway's evidence: they are not deleted with a trainer.
    run_trainer = models.ForeignKey(RunTrainer, on_delete=models.PROTECT, related_name="days")
    # A day with trainer days recorded cannot be deleted (services.change_run_days says why).
    day = models.ForeignKey(RunDay, on_delete=models.PROTECT, related_name="trainer_days")
    role = models.CharField(max_length=20, choices=TrainerRole.choices)

    class Meta:
        ordering = ["day__date"]
        constraints = [models.UniqueConstraint(fields=["run_trainer", "day"], name="one_role_per_trainer_and_day")]

    def __str__(self):
        return f"{self.run_trainer.trainer}: {self.get_role_display()} on {self.day}"


class Enrolment(models.Model):
    """A person's application for a run and everything that follows from it."""

    PRIVACY = {"subject": ["trainee"], "mentions": ["decided_by"]}

    # What the applicant wrote, and what coordinators wrote about them, blanked on erasure.
    PERSONAL_FIELDS = ("applicant_note", "case_by_case_reasons", "rejection_reason", "staff_notes")

    run = models.ForeignKey(CourseRun, on_delete=models.PROTECT, related_name="enrolments")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED)
    applicant_note = models.TextField("note from the applicant", blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True, help_text="Shown to the applicant.")
    waitlist_position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Order on the waiting list: the lowest is offered the next free place."
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was withdrawn, declined, expired or completed."
    )
    staff_notes = models.TextField("internal notes", blank=True, help_text="Never shown to the applicant.")
    case_by_case_reasons = models.TextField(
        "for the coordinators to judge",
        blank=True,
        editable=False,
        help_text="Entry criteria the applicant does not meet that coordinators may accept case by case.",
    )

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = "application"
        indexes = [
            # The admin list's default ordering, alone and under its status filter.
            models.Index(fields=["-applied_at", "-id"], name="application_newest_first"),
            models.Index(fields=["status", "-applied_at", "-id"], name="application_status_newest"),
            models.Index(fields=["run", "status"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "trainee"],
                condition=~Q(status__in=ENDED_WITHOUT_PLACE_STATES),
                name="one_standing_application_per_run",
            ),
            models.UniqueConstraint(
                fields=["run", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="one_application_per_waitlist_position",
            ),
        ]

    def __str__(self):
        return f"{self.trainee} on {self.run}"

    def get_absolute_url(self):
        return reverse("trainings:enrolment_detail", kwargs={"pk": self.pk})

    def can(self, action):
        """Whether the transition table lets this application go through `action` now."""
        return enrolment_can(self.status, action)

    @property
    def open_actions(self):
        return enrolment_actions(self.status)


class EnrolmentAnswer(models.Model):
    """The applicant's answer to one entry requirement, with its evidence file if any."""

    PRIVACY = {"subject": ["enrolment__trainee"], "mentions": []}

    # Privacy (members/privacy.py, dit_portal/retention.py): blanked when the person is
    # erased; the evidence file is deleted after the evidence retention period.
    PERSONAL_FIELDS = ("text", "registration_body", "evidence_name")
    RETAINED_FILES = {"evidence": ("uploaded_at", "evidence")}

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="answers")
    requirement = models.ForeignKey(EntryRequirement, null=True, on_delete=models.SET_NULL, related_name="answers")
    question = models.CharField(max_length=300, help_text="The requirement's title when it was answered.")
    yes_no = models.BooleanField(null=True)
    number = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    text = models.CharField(max_length=500, blank=True, help_text="Free text, or the registration number.")
    registration_body = models.CharField(max_length=100, blank=True)
    evidence = PrivateFileField(upload_to=GeneratedName("evidence"), blank=True)
    evidence_name = models.CharField("original file name", max_length=255, blank=True)
    evidence_size = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requirement__position", "id"]
        verbose_name = "answer"
        constraints = [models.UniqueConstraint(fields=["enrolment", "requirement"], name="one_answer_per_requirement")]

    def __str__(self):
        return f"{self.question}: {self.display_value}"

    @property
    def display_value(self):
        if self.yes_no is not None:
            return "Yes" if self.yes_no else "No"
        if self.number is not None:
            return f"{self.number.normalize():f}"
        if self.registration_body:
            return f"{self.registration_body} {self.text}".strip()
        return self.text

    def get_evidence_url(self):
        return reverse("trainings:evidence", kwargs={"pk": self.pk}) if self.evidence else ""


class Attendance(models.Model):
    """Whether an accepted trainee attended one day of their run."""

    PRIVACY = {"subject": ["enrolment__trainee"], "mentions": ["recorded_by"]}

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    # A day with attendance recorded cannot be deleted (services.change_run_days says why).
    day = models.ForeignKey(RunDay, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day__date"]
        verbose_name_plural = "attendance"
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="one_attendance_per_day")]

    def __str__(self):
        return f"{self.enrolment.trainee} on {self.day}: {'present' if self.present else 'absent'}"


class ApplicationDigest(models.Model):
    """One row per day the coordinators' digest of new applications ran: claims the day so
    it is sent at most once, however often the job runs."""

    day = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applications = models.PositiveIntegerField(default=0, help_text="How many applications it listed (0: none sent).")

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"Digest of {self.day:%-d %B %Y}: {self.applications} application(s)"
