from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(*, subject, text, html, to, reply_to=None):
    from .emails import deliver_now

    deliver_now(subject=subject, text=text, html=html, to=to, reply_to=reply_to)


@shared_task
def delete_expired_files():
    """Daily: files past their retention period are deleted and each deletion logged."""
    from .retention import delete_expired_files as delete

    return delete()
