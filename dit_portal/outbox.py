"""The e-mail outbox: every e-mail the portal sends is first a row, written in the same
transaction as the decision that causes it, so a decision that commits always has its
e-mail, and one that rolls back never does.

After the commit the row's id is handed to Celery (`send_outgoing_email`); if the broker is
down that hand-off fails quietly (logged at most once a minute) and the request goes on. The
beat job `send_pending_emails` (every minute) sends what no worker took, and retries.

Sending claims the row first (pending -> sending, with `SELECT ... FOR UPDATE SKIP LOCKED`,
committed), then sends, then marks it sent at once: two workers never send the same row. A
refusal by the mail server puts it back to pending with a growing delay (1, 2, 4, ...
minutes); after OUTBOX_MAX_ATTEMPTS it is failed and shows in the admin, where a coordinator
sends it again. A row left "being sent" by a worker that was killed mid-send may or may not
have gone out: the sweep marks it failed with that reason rather than send it twice, and a
coordinator decides.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit import log_action
from .degraded import log_degraded
from .models import OutgoingEmail, OutgoingEmailStatus

logger = logging.getLogger(__name__)

# A send takes seconds; a row still "being sent" after this was left by a worker that stopped.
STALE_SENDING = datetime.timedelta(minutes=10)
SWEEP_LIMIT = 500
STOPPED_MID_SEND = (
    "The worker stopped while sending it, so it may or may not have gone out; "
    "check with the recipient before sending it again."
)


class OutboxError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def queue_email(*, subject, text, html, to, reply_to=""):
    """Write the e-mail into the outbox (in the caller's transaction); a worker sends it
    after the commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    email = OutgoingEmail.objects.create(subject=subject, text=text, html=html, to=recipients, reply_to=reply_to or "")
    transaction.on_commit(lambda: hand_to_worker(email.pk))
    return email


def hand_to_worker(email_id):
    """Ask a worker to send the row now. When the broker is down the row waits for the
    sweep; the caller (a request, a job) is never failed for it."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.delay(email_id=email_id)
    except Exception:
        log_degraded("broker", "E-mail %s could not be handed to a worker; the outbox sweep will send it.", email_id)


def retry_delay(attempts):
    """1 minute after the first failure, then 2, 4, ... up to 6 hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 6 * 60))


def send_email(email_id, *, now=None):
    """Claim, send and mark one pending row; returns its status, or None when it was not
    due or another worker holds it."""
    from .emails import deliver_now

    now = now or timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmailStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return None
        email.status = OutgoingEmailStatus.SENDING
        email.claimed_at = now
        email.attempts += 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    try:
        deliver_now(subject=email.subject, text=email.text, html=email.html, to=email.to, reply_to=email.reply_to)
    except Exception as error:  # the mail server's refusal, whatever its kind
        return _record_failure(email, error)
    OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmailStatus.SENDING).update(
        status=OutgoingEmailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutgoingEmailStatus.SENT


def _record_failure(email, error):
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status, next_attempt_at = OutgoingEmailStatus.FAILED, email.next_attempt_at
        logger.error("E-mail %s failed %s times and is given up: %s", email.pk, email.attempts, error)
    else:
        status, next_attempt_at = OutgoingEmailStatus.PENDING, timezone.now() + retry_delay(email.attempts)
        logger.warning("E-mail %s was refused (attempt %s), retried later: %s", email.pk, email.attempts, error)
    OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmailStatus.SENDING).update(
        status=status, next_attempt_at=next_attempt_at, last_error=str(error)[:1000]
    )
    return status


def send_pending_emails(*, now=None):
    """The sweep: report rows left being sent, send every due pending row, and forget sent
    rows past OUTBOX_KEEP_SENT_DAYS. Returns counts by outcome."""
    now = now or timezone.now()
    outcome = {}
    stale = OutgoingEmail.objects.filter(status=OutgoingEmailStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
    stopped = stale.update(status=OutgoingEmailStatus.FAILED, last_error=STOPPED_MID_SEND)
    if stopped:
        logger.error("%s e-mail(s) were left being sent by a worker that stopped; marked failed.", stopped)
        outcome["stopped mid-send"] = stopped
    due = list(
        OutgoingEmail.objects.filter(status=OutgoingEmailStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    for email_id in due:
        status = send_email(email_id, now=now)
        if status is not None:
            outcome[status] = outcome.get(status, 0) + 1
    forgotten, _ = OutgoingEmail.objects.filter(
        status=OutgoingEmailStatus.SENT, sent_at__lt=now - datetime.timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    ).delete()
    if forgotten:
        outcome["forgotten"] = forgotten
    return outcome


def resend_emails(emails, *, by):
    """Put failed e-mails back in the queue (a coordinator's decision, one audit entry
    each); returns how many. Sent, pending and in-flight ones are left as they are."""
    with transaction.atomic():
        failed = list(
            OutgoingEmail.objects.select_for_update()
            .filter(pk__in=[email.pk for email in emails], status=OutgoingEmailStatus.FAILED)
            .order_by("pk")
        )
        if not failed:
            raise OutboxError("Only failed e-mails can be sent again; the others are left as they are.")
        now = timezone.now()
        for email in failed:
            email.status = OutgoingEmailStatus.PENDING
            email.attempts = 0
            email.next_attempt_at = now
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            log_action(
                email,
                "portal.outgoingemail.resent",
                user=by,
                data={"to": email.to, "subject": email.subject, "last_error": email.last_error},
            )
            transaction.on_commit(lambda pk=email.pk: hand_to_worker(pk))
    return len(failed)


def failed_emails_needing_attention(request):
    """For the admin index's to-do list: the failed e-mails, if the person may see them."""
    if not request.user.has_perm("portal.view_outgoingemail"):
        return []
    failed = OutgoingEmail.objects.filter(status=OutgoingEmailStatus.FAILED).count()
    if not failed:
        return []
    url = reverse("admin:portal_outgoingemail_changelist") + "?status__exact=failed"
    return [(f"{failed} e-mail{' could' if failed == 1 else 's could'} not be sent: check and send again.", url)]
