from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone


class AuditEntry(models.Model):
    """One entry per state change: who did what to which object, when, with what data."""

    PRIVACY = {"subject": [], "mentions": ["actor"]}

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="Empty when the system acted (a scheduled job, for instance).",
    )
    action = models.CharField(max_length=120, db_index=True, help_text="Namespaced, e.g. trainings.enrolment.accepted")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # The admin's default ordering, and its prefix search on actions (pattern ops
            # let PostgreSQL use the index for LIKE 'prefix%' whatever the collation).
            models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
            models.Index(fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_id"], name="audit_object_id"),
        ]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.action} on {self.object_repr}"


class Page(models.Model):
    """A public information page, edited by coordinators in the admin."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    menu_title = models.CharField(max_length=60, blank=True, help_text="Shorter title for the navigation bar.")
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences shown under the title and to search engines."
    )
    body = models.TextField(help_text="Markdown: # headings, **bold**, - lists, [links](https://…).")
    show_in_menu = models.BooleanField(default=True)
    menu_order = models.PositiveSmallIntegerField(default=100)
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["menu_order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.slug == "home":
            return reverse("home")
        return reverse("page", kwargs={"slug": self.slug})


class FrequentlyAskedQuestion(models.Model):
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=100)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "frequently asked question"

    def __str__(self):
        return self.question


class CredentialStatusEntry(models.Model):
    """A place in the portal's Bitstring Status List: one per signed credential or
    certificate (its source), given the first time it is signed. Its index is its primary key.

    The state is written by the services that change the source's status (members'
    `set_credential_status`, certificates' `revoke_certificate`) in their own transaction,
    through `dit_portal.openbadges.record_status`; the published list is read from these rows."""

    class State(models.IntegerChoices):
        VALID = 0, "Valid"
        SUSPENDED = 1, "Suspended"
        LAPSED = 2, "Lapsed"
        REVOKED = 3, "Revoked"

    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64)
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.VALID)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"], name="one_status_entry_per_source")]
        indexes = [models.Index(fields=["state"], condition=~models.Q(state=0), name="status_entry_not_valid")]
        verbose_name = "credential status entry"
        verbose_name_plural = "credential status list"

    def __str__(self):
        return f"#{self.pk}: {self.get_state_display()}"


class OutgoingEmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingEmail(models.Model):
    """One e-mail the portal decided to send, written in the transaction of that decision
    (the outbox, see dit_portal/outbox.py). A worker sends it and marks it sent; a rolled-back
    decision leaves no row, and a broker that is down only delays it.

    No foreign key to a person: the addresses are kept as written, and a sent row is deleted
    after OUTBOX_KEEP_SENT_DAYS (the audit log, not the outbox, is the record of decisions)."""

    created_at = models.DateTimeField(auto_now_add=True)
    to = models.JSONField(help_text="The recipients' addresses.")
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutgoingEmailStatus.choices, default=OutgoingEmailStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Not sent before this time (retries).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["-created_at", "-id"], name="outbox_newest_first"),
        ]
        permissions = [("resend_outgoingemail", "Can send a failed e-mail again")]
        verbose_name = "outgoing e-mail"
        verbose_name_plural = "outgoing e-mails"

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)}"
