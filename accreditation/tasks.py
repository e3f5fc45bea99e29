from celery import shared_task
from django.utils import timezone

from members.models import User

from . import maintenance


@shared_task
def check_maintenance(year=None):
    """In January, check the year before (D7); each person is stored once per year."""
    year = year or timezone.localdate().year - 1
    checked = 0
    for person in User.objects.filter(pk__in=maintenance.people_to_check(year)).order_by("pk").iterator():
        if maintenance.record_check(person, year) is not None:
            checked += 1
    return checked
