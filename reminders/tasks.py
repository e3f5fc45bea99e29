from celery import shared_task

from . import services


@shared_task
def send_due_reminders():
    """Beat job (daily, see the README): every reminder due today, each sent at most once."""
    return dict(+services.send_due_reminders())
