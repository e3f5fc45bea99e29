import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dit_portal.files import GeneratedName, PrivateFileField
from dit_portal.site import site_url

from .enums import CERTIFICATE_TRANSITIONS, BatchStatus, CertificateKind, CertificateStatus

# 32 URL-safe characters: 192 random bits, far beyond guessing.
VERIFICATION_CODE_BYTES = 24


def new_verification_code():
    return secrets.token_urlsafe(VERIFICATION_CODE_BYTES)


class CertificateSequence(models.Model):
    """The last certificate number given. Its row is locked while a number is taken and the
    certificate saved in the same transaction, so numbers run without gaps or repeats."""

    name = models.CharField(max_length=40, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_number}"


class IssueBatch(models.Model):
    """Certificates issued together in the background (a run's completers), with progress."""

    PRIVACY = {"subject": [], "mentions": ["requested_by"]}

    title = models.CharField(max_length=250)
    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requests = models.JSONField(default=list, help_text="What to issue: one entry per certificate.")
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(
        default=0, help_text="The certificates of this batch: counted from their rows, never added up beside them."
    )
    skipped = models.PositiveIntegerField(default=0, help_text="Already certified.")
    failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last issued or checked one of its certificates."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("resume_issuebatch", "Can resume an issuing batch that stopped")]
        verbose_name = "issuing batch"
        verbose_name_plural = "issuing batches"

    def __str__(self):
        return self.title

    @property
    def processed(self):
        return self.issued + self.skipped + self.failed

    @property
    def percent_done(self):
        return 100 if not self.total else round(100 * self.processed / self.total)


class Certificate(models.Model):
    """A numbered certificate of a course completed or a credential held, verifiable online."""

    PRIVACY = {"subject": ["holder"], "mentions": ["revoked_by", "issued_by"]}
    PERSONAL_FIELDS = ("holder_name", "revocation_reason")

    number = models.PositiveIntegerField(unique=True, editable=False)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(max_length=200, help_text="As printed on the certificate.")
    title = models.CharField(max_length=200, help_text="The course completed or the credential held.")
    description = models.CharField(max_length=300, blank=True, help_text="A line under the title, e.g. the dates.")
    kind = models.CharField(max_length=20, choices=CertificateKind.choices)
    achieved_on = models.DateField(help_text="The day the course was completed or the credential granted.")
    issued_on = models.DateField(default=timezone.localdate)
    verification_code = models.CharField(max_length=64, unique=True, editable=False, default=new_verification_code)
    status = models.CharField(max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    # What the certificate attests, when the portal holds it: an enrolment, a held credential.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_reference = models.CharField(
        max_length=200, blank=True, help_text="Otherwise a reference to the record, e.g. a paper register."
    )
    pdf = PrivateFileField(upload_to=GeneratedName("certificates"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(IssueBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(status=CertificateStatus.VALID) & Q(source_type__isnull=False),
                name="one_valid_certificate_per_source",
            )
        ]

    def __str__(self):
        return f"{self.display_number}: {self.title}, {self.holder_name}"

    @property
    def display_number(self):
        return f"DIT-{self.number:06d}" if self.number else "DIT-…"

    @property
    def is_credential(self):
        return self.kind == CertificateKind.CREDENTIAL

    @property
    def is_valid(self):
        return self.status == CertificateStatus.VALID

    def can(self, status):
        return status in CERTIFICATE_TRANSITIONS[self.status]

    @property
    def can_revoke(self):
        return self.can(CertificateStatus.REVOKED)

    def get_verification_path(self):
        return reverse("certificates:verify", kwargs={"code": self.verification_code})

    def get_verification_url(self):
        """Absolute, for the e-mail and the QR code: SITE_URL, or under `make run` the address
        being served (dit_portal.site), never a bare path."""
        return f"{site_url()}{self.get_verification_path()}"

    def get_verification_url_absolute(self):
        """The verification page's address even where SITE_URL is not set (local runs)."""
        return f"{settings.SITE_URL or site_url()}{self.get_verification_path()}"

    def get_badge_url(self):
        return reverse("certificates:open_badge", kwargs={"pk": self.pk})

    @property
    def linkedin_url(self):
        """LinkedIn's add-to-profile link, pre-filled with the certificate and its verification page."""
        query = urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": self.title,
                "organizationName": "Anna Freud Centre",
                "issueYear": self.issued_on.year,
                "issueMonth": self.issued_on.month,
                "certUrl": self.get_verification_url_absolute(),
                "certId": self.display_number,
            }
        )
        return f"https://www.linkedin.com/profile/add?{query}"

    def get_download_url(self):
        return reverse("certificates:download", kwargs={"pk": self.pk})

    @property
    def download_name(self):
        return f"{self.display_number}.pdf"
