from django.conf import settings
from django.db import models

from .enums import ReminderStatus


class Reminder(models.Model):
    """One reminder to one person about one subject in one period, recorded before it is sent.

    The unique constraint on (person, kind, period_key) is what makes a reminder go out at most
    once: every run claims its rows by inserting them, and a row that exists is someone else's.
    """

    PRIVACY = {"subject": ["person"], "mentions": []}

    # Blanked when the person is erased: a mail server's refusal may quote their address.
    PERSONAL_FIELDS = ("last_error",)

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=60, help_text="The rule that sent it.")
    period_key = models.CharField(
        max_length=100, help_text="What and when it is about, e.g. run-12 or 2026; one reminder per person and key."
    )
    subject = models.CharField(max_length=250)
    status = models.CharField(max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=1)
    claim_token = models.UUIDField(help_text="The run that holds the reminder now.")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        permissions = [("release_reminder", "Can have a reminder left being sent sent again")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "period_key"], name="one_reminder_per_person_kind_period")
        ]
        indexes = [
            models.Index(fields=["claim_token"]),
            models.Index(fields=["status", "claimed_at"]),
            # The admin's list, newest first, over every reminder ever sent.
            models.Index(fields=["-claimed_at", "-id"], name="reminder_newest_first"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.period_key}) to {self.person}"


class ReminderPause(models.Model):
    """A coordinator has paused every reminder to this person (e.g. on leave, in dispute)."""

    PRIVACY = {"subject": ["person"], "mentions": ["paused_by"]}

    PERSONAL_FIELDS = ("reason",)  # what a coordinator wrote about the person

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_pause")
    reason = models.CharField(max_length=300)
    until = models.DateField(
        "paused until", null=True, blank=True, help_text="The last day of the pause; empty: until it is lifted."
    )
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "paused person"
        verbose_name_plural = "paused people"

    def __str__(self):
        return f"Reminders paused for {self.person}" + (f" until {self.until:%-d %B %Y}" if self.until else "")

    def holds_on(self, day):
        return self.until is None or self.until >= day


class ReminderOptOut(models.Model):
    """A person chose not to receive one optional kind of reminder."""

    PRIVACY = {"subject": ["person"], "mentions": []}

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs")
    kind = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_opt_out_per_person_and_kind")]

    def __str__(self):
        return f"{self.person}: no {self.kind}"
