"""Accreditation: the thresholds the requirement checks read, role-play results, case-study
submissions and their review, letters of support, yearly maintenance results, and the
"ready to accredit" queue (a view of people). Fields that carry a rule change only through
`accreditation.services`."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from dit_portal.files import GeneratedName, PrivateFileField
from members.models import User

from .enums import CASE_STUDY_TRANSITIONS, CaseStudyStatus, LetterWriter, RolePlayOutcome


class Threshold(models.Model):
    """A named number a requirement check reads (hours, cases, days, ratio). Seeded by a
    migration; coordinators change the value in the admin, and each change is audit-logged."""

    key = models.SlugField(max_length=60, unique=True, help_text="The name the checks use; never changed.")
    label = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    unit = models.CharField(max_length=40, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.label}: {self.value.normalize():f}{f' {self.unit}' if self.unit else ''}"


class RolePlayResult(models.Model):
    """One role-play attempt and its outcome (D16): pass; refer with a retake deadline;
    fail (re-attend the training). Recorded once; a later attempt is a new row."""

    PRIVACY = {"subject": ["person"], "mentions": ["recorded_by", "voided_by"]}
    PERSONAL_FIELDS = ("feedback", "void_reason")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_plays")
    attempt = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=RolePlayOutcome.choices)
    assessed_on = models.DateField()
    retake_by = models.DateField(null=True, blank=True, help_text="For a referral: the retake deadline.")
    feedback = models.TextField(blank=True, help_text="Shown to the trainee.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A wrong result is never edited: a coordinator voids it (with a reason) and it stops counting.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["person", "attempt"]
        verbose_name = "role-play result"
        constraints = [models.UniqueConstraint(fields=["person", "attempt"], name="one_role_play_result_per_attempt")]
        permissions = [("void_roleplayresult", "Can void a role-play result")]

    def __str__(self):
        return f"{self.person}: role-play attempt {self.attempt} ({self.get_outcome_display().lower()})"

    @property
    def is_void(self):
        return self.voided_at is not None


class CaseStudySubmission(models.Model):
    """One case study a trainee uploaded, and the decision on it. Each submission is kept;
    a decision is final (CASE_STUDY_TRANSITIONS): a referral is followed by a new one.
    The file is assessed work: it is deleted once the retention period has passed since the
    decision (dit_portal.retention); the row and its decision stay."""

    PRIVACY = {"subject": ["person"], "mentions": ["assessor", "decided_by"]}
    PERSONAL_FIELDS = ("file_name", "feedback")

    RETAINED_FILES = {"file": ("decided_at", "assessed_work")}

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_studies")
    number = models.PositiveSmallIntegerField(help_text="1 for the first submission, 2 and 3 for resubmissions.")
    file = PrivateFileField(upload_to=GeneratedName("case-studies"), max_length=200, blank=True)
    file_name = models.CharField("original file name", max_length=255)
    submitted_at = models.DateTimeField(auto_now_add=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_studies_to_assess",
    )
    status = models.CharField(max_length=20, choices=CaseStudyStatus.choices, default=CaseStudyStatus.SUBMITTED)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField(blank=True, help_text="Shown to the trainee.")
    resubmit_by = models.DateField(null=True, blank=True, help_text="For a referral: the resubmission deadline.")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "case study"
        verbose_name_plural = "case studies"
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="one_case_study_per_number")]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.person}: case study {self.number} ({self.get_status_display().lower()})"

    @property
    def open_decisions(self):
        return CASE_STUDY_TRANSITIONS[self.status]

    def get_file_url(self):
        return reverse("accreditation:case_study_file", kwargs={"pk": self.pk})


class SupportLetter(models.Model):
    """A letter of support for the supervisor route (D11): one from an accredited DIT
    supervisor, one from the line manager. A new upload of the same kind replaces it.
    A letter is application evidence, deleted after the evidence retention period."""

    PRIVACY = {"subject": ["person"], "mentions": []}
    PERSONAL_FIELDS = ("writer_name", "file_name")

    RETAINED_FILES = {"file": ("uploaded_at", "evidence")}

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_letters")
    writer = models.CharField(max_length=20, choices=LetterWriter.choices)
    writer_name = models.CharField("written by", max_length=200)
    file = PrivateFileField(upload_to=GeneratedName("support-letters"), max_length=200, blank=True)
    file_name = models.CharField("original file name", max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "writer"]
        verbose_name = "letter of support"
        verbose_name_plural = "letters of support"
        constraints = [models.UniqueConstraint(fields=["person", "writer"], name="one_support_letter_per_writer")]

    def __str__(self):
        return f"{self.person}: {self.get_writer_display()}"

    def get_file_url(self):
        return reverse("accreditation:letter_file", kwargs={"pk": self.pk})


class MaintenanceResult(models.Model):
    """The stored outcome of one person's yearly maintenance check (D7, D8, D14, D1). A
    failed check warns the person; it never changes a credential."""

    PRIVACY = {"subject": ["person"], "mentions": []}

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maintenance_results")
    year = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    items = models.JSONField(default=list, help_text="Each item: key, label, met, evidence, missing, required.")
    checked_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "person"]
        verbose_name = "maintenance result"
        # Checking again may warn the person by e-mail: a right of its own, not seeing results.
        permissions = [("recheck_maintenanceresult", "Can check people again for their year")]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="one_maintenance_result_per_year")]
        indexes = [models.Index(fields=["year", "passed"])]

    def __str__(self):
        return f"{self.person} {self.year}: {'passed' if self.passed else 'not met'}"


class MaintenanceSummary(models.Model):
    """The coordinators' summary of one year's maintenance check: claimed once, so a re-run
    of the job does not mail it again."""

    year = models.PositiveSmallIntegerField(unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Maintenance summary {self.year}"


class Candidate(User):
    """People as the "ready to accredit" queue sees them."""

    class Meta:
        proxy = True
        verbose_name = "ready to accredit"
        verbose_name_plural = "ready to accredit"
        permissions = [("grant_candidate", "Can grant credentials to people ready for them")]
