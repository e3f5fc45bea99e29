from celery import shared_task

from . import services


@shared_task
def expire_overdue_offers():
    """Beat job: expire offers nobody answered in time; each passes to the next in line."""
    return services.expire_overdue_offers()


@shared_task
def send_application_digest():
    """Beat job, daily: the coordinators' list of new applications awaiting a decision."""
    return services.send_application_digest()
