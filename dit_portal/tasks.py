from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(*, subject, text, html, to, reply_to=None):
    """Kept for messages queued before the outbox existed (a deploy drains them); the portal
    no longer queues this task."""
    from .emails import deliver_now

    deliver_now(subject=subject, text=text, html=html, to=to, reply_to=reply_to)


@shared_task
def send_outgoing_email(*, email_id):
    """Send one row of the e-mail outbox; returns quietly if it is gone, sent or taken."""
    from .outbox import send_email

    return send_email(email_id)


@shared_task
def send_pending_emails():
    """Beat job (every minute): the outbox rows no worker took, retries, rows left stuck."""
    from .outbox import send_pending_emails as sweep

    return sweep()


@shared_task
def delete_expired_files():
    """Daily: files past their retention period are deleted and each deletion logged."""
    from .retention import delete_expired_files as delete

    return delete()
