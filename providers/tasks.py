from celery import shared_task

from . import services


@shared_task
def mark_overdue_invoices():
    """Daily: unpaid invoices past their due date become overdue (idempotent)."""
    return services.mark_overdue_invoices()
