from celery import shared_task

from . import services
from .models import IssueBatch


@shared_task
def run_issue_batch(*, batch_id):
    """Issue a batch's certificates; returns quietly if the batch is gone or finished."""
    if not IssueBatch.objects.filter(pk=batch_id).exists():
        return
    services.run_batch(batch_id)
