"""Reminders about trainings: read from the trainings app."""

import datetime

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from trainings.enums import DECIDING_RUN_STATES, DeliveryMode, EnrolmentStatus
from trainings.models import Enrolment, RunDay

from .base import Due, Rule

DAYS_BEFORE_TRAINING = 7


class TrainingStartsSoon(Rule):
    """A training starts within 7 days: the accepted trainee gets the dates and joining details
    once per run (a run moved later may remind again only if it is a different run)."""

    kind = "training_starts_soon"
    label = "A training you have a place on starts within a week"
    optional = True

    def candidates(self, today):
        first_day = RunDay.objects.filter(run=OuterRef("run")).order_by("date").values("date")[:1]
        return (
            Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED, run__status__in=DECIDING_RUN_STATES)
            .annotate(starts_on=Subquery(first_day))
            .filter(starts_on__gt=today, starts_on__lte=today + datetime.timedelta(days=DAYS_BEFORE_TRAINING))
            .select_related("trainee", "run__course")
        )

    def build(self, rows, today):
        run_ids = {row.run_id for row in rows}
        days = {}
        for day in RunDay.objects.filter(run_id__in=run_ids).order_by("date"):
            days.setdefault(day.run_id, []).append(day)
        reminders = []
        for enrolment in rows:
            run = enrolment.run
            online = run.mode == DeliveryMode.ONLINE
            where = "online; the joining details are on the training's page" if online else run.venue
            reminders.append(
                Due(
                    person=enrolment.trainee,
                    period_key=f"run-{run.pk}",
                    missing=f"{run.course.title} ({run.label}) starts on {enrolment.starts_on:%A %-d %B %Y}.",
                    fix_url=reverse("trainings:enrolment_detail", kwargs={"pk": enrolment.pk}),
                    context={
                        "run": run,
                        "course": run.course,
                        "starts_on": enrolment.starts_on,
                        "days": days.get(run.pk, []),
                        "online": online,
                        "where": where,
                        "notes": run.notes,
                        "run_url": run.get_absolute_url(),
                    },
                )
            )
        return reminders
