from django.db import models


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Sending failed (retried on the next run)"


# The one transition table of a reminder. A claimed reminder is sent or fails; a failed one is
# claimed again by a later run; a sent one is final.
REMINDER_TRANSITIONS = {
    ReminderStatus.CLAIMED: (ReminderStatus.SENT, ReminderStatus.FAILED),
    ReminderStatus.FAILED: (ReminderStatus.CLAIMED,),
    ReminderStatus.SENT: (),
}
# States a later run may claim again: failed, or claimed by a run that died before sending.
RETRYABLE_STATES = (ReminderStatus.FAILED, ReminderStatus.CLAIMED)
