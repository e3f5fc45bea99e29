from django.db import models


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Sending failed (retried on the next run)"


# The one transition table of a reminder. A claimed reminder is sent or fails; a failed one is
# claimed again by a later run; a sent one is final. A claimed one left by a run that stopped
# becomes failed only when a coordinator releases it (services.release_stale_claims).
REMINDER_TRANSITIONS = {
    ReminderStatus.CLAIMED: (ReminderStatus.SENT, ReminderStatus.FAILED),
    ReminderStatus.FAILED: (ReminderStatus.CLAIMED,),
    ReminderStatus.SENT: (),
}
