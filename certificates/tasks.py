from celery import shared_task

from . import services
from .models import IssueBatch


# Redelivery, deliberately: acknowledged after it ran, and handed back to the broker at once
# when its worker is killed (the settings say the same for every task); a second run is safe.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_issue_batch(*, batch_id):
    """Issue a batch's certificates; returns quietly if the batch is gone or finished."""
    if not IssueBatch.objects.filter(pk=batch_id).exists():
        return
    services.run_batch(batch_id)
