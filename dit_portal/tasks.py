from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_email(*, subject, text, html, to):
    from .emails import deliver_now

    deliver_now(subject=subject, text=text, html=html, to=to)
