from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal.emails import send_templated_email
from members import roles
from members.models import User

from . import maintenance, readiness


@shared_task
def check_maintenance(year=None):
    """In January, check the year before (D7): each person's result is stored once per year
    and they are warned if it fails; then the coordinators get the list of those not met.

    People are checked a batch at a time (maintenance.BATCH_SIZE): each batch is read with a
    fixed number of queries and stored in its own transaction, so a job stopped half-way
    keeps the batches it finished, and running it again stores each result once more in
    place and warns nobody twice."""
    year = year or timezone.localdate().year - 1
    checked, not_met = 0, []
    ids = sorted(set(maintenance.people_to_check(year)))
    for first in range(0, len(ids), maintenance.BATCH_SIZE):
        people = list(User.objects.filter(pk__in=ids[first : first + maintenance.BATCH_SIZE]).order_by("pk"))
        stored = maintenance.record_checks(people, year)
        for person in people:
            result = stored[person.pk]
            if result is not None:
                checked += 1
                if not result.passed:
                    not_met.append(person)
    coordinators = list(
        User.objects.filter(is_active=True, groups__name=roles.COORDINATOR).values_list("email", flat=True)
    )
    with transaction.atomic():
        if not (not_met and coordinators and maintenance.claim_summary(year)):
            return checked
        send_templated_email(
            "accreditation/emails/maintenance_summary",
            {
                "year": year,
                "checked": checked,
                "not_met": not_met,
                "list_url": reverse("admin:accreditation_maintenanceresult_changelist") + f"?year={year}&passed=no",
            },
            to=coordinators,
        )
    return checked


@shared_task
def check_ready_to_accredit():
    """Every 15 minutes: run the requirements engine over every candidate of Ready to
    accredit and keep who is ready (`readiness`), for its "ready now" filter and the admin
    home. Returns how many are ready."""
    return len(readiness.check_again()["ids"])
