"""Reads that several views, the admin and services share. Counts come from subqueries so
a list costs the same number of queries whatever its length."""

from decimal import Decimal

from django.db.models import Count, IntegerField, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .enums import (
    LISTED_RUN_STATES,
    PLACE_HOLDING_STATES,
    PUBLIC_RUN_STATES,
    PUBLIC_TRAINER_ROLES,
    EnrolmentStatus,
    RunStatus,
    TrainerRole,
)
from .models import Course, CourseRun, Enrolment, EnrolmentAnswer, RunDay, RunTrainer, TrainerDay


def count_of(queryset, group_by):
    """A correlated COUNT(*) over `queryset`, grouped by the column that points outwards."""
    counted = queryset.order_by().values(group_by).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_run_facts(queryset):
    """Annotate runs with their first and last day, number of days and places taken."""
    days = RunDay.objects.filter(run=OuterRef("pk"))
    return queryset.annotate(
        starts_on=Subquery(days.order_by("date").values("date")[:1]),
        ends_on=Subquery(days.order_by("-date").values("date")[:1]),
        day_count=count_of(days, "run"),
        places_taken=count_of(Enrolment.objects.filter(run=OuterRef("pk"), status__in=PLACE_HOLDING_STATES), "run"),
        waitlist_length=count_of(
            Enrolment.objects.filter(run=OuterRef("pk"), status=EnrolmentStatus.WAITLISTED), "run"
        ),
    )


def completed_enrolments(person, *, roles=None, by=None, started_after=None):
    """`person`'s completed enrolments on runs that were not cancelled, annotated with the
    run's `starts_on` and `ends_on`, first ended first. A completion counts from the run's
    last day and its recording: `by` keeps those ended and recorded on or before it (the "as of" of the rules,
    DOMAIN.md D21, D25); `started_after` the runs whose first day is after it (D24: the
    training attended again after a failed role-play); `roles` a PathwayRole or a tuple."""
    found = (
        Enrolment.objects.filter(trainee=person, status=EnrolmentStatus.COMPLETED)
        .exclude(run__status=RunStatus.CANCELLED)
        .annotate(starts_on=Min("run__days__date"), ends_on=Max("run__days__date"))
    )
    if roles is not None:
        found = found.filter(run__course__pathway_role__in=(roles,) if isinstance(roles, str) else roles)
    if by is not None:
        # Completion is known from the day it was recorded (rows recorded before the portal
        # kept that date count from the run's last day).
        found = found.filter(ends_on__lte=by).filter(Q(ended_at__isnull=True) | Q(ended_at__date__lte=by))
    if started_after is not None:
        found = found.filter(starts_on__gt=started_after)
    return found.select_related("run__course").order_by("ends_on", "pk")


def places_taken(run):
    return run.enrolments.filter(status__in=PLACE_HOLDING_STATES).count()


def waiting_list(run):
    return run.enrolments.filter(status=EnrolmentStatus.WAITLISTED).order_by("waitlist_position", "applied_at", "pk")


def listed_runs(*, course=None, month=None, mode=None):
    """Runs shown on the public "Live trainings" page: open or full, deadline not passed."""
    runs = with_run_facts(
        CourseRun.objects.filter(
            status__in=LISTED_RUN_STATES,
            course__is_published=True,
            application_deadline__gte=timezone.localdate(),
        ).select_related("course")
    ).filter(starts_on__isnull=False)
    if course is not None:
        runs = runs.filter(course=course)
    if month is not None:
        runs = runs.filter(starts_on__year=month.year, starts_on__month=month.month)
    if mode:
        runs = runs.filter(mode=mode)
    return runs.order_by("starts_on", "pk")


def listed_months():
    """The first day of each month in which a listed run starts."""
    starts = listed_runs().values_list("starts_on", flat=True)
    return sorted({day.replace(day=1) for day in starts})


def catalogue():
    upcoming = CourseRun.objects.filter(pk__in=listed_runs().values("pk"), course=OuterRef("pk"))
    return (
        Course.objects.filter(is_published=True)
        .annotate(upcoming_runs=count_of(upcoming, "course"))
        .prefetch_related("fees", "requirements")
    )


def public_run(pk, *, include_drafts=False):
    """One run with what its page shows; raises CourseRun.DoesNotExist."""
    runs = CourseRun.objects.all() if include_drafts else CourseRun.objects.filter(status__in=PUBLIC_RUN_STATES)
    return (
        with_run_facts(runs)
        .select_related("course")
        .prefetch_related(
            "days",
            "course__fees",
            "course__requirements",
            Prefetch(
                "trainers",
                queryset=RunTrainer.objects.filter(role__in=PUBLIC_TRAINER_ROLES).select_related("trainer"),
                to_attr="public_trainers",
            ),
        )
        .get(pk=pk)
    )


def latest_enrolment(run, user):
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(run=run, trainee=user).order_by("-applied_at", "-pk").first()


def my_enrolments(user):
    """A trainee's enrolments with their run, course, dates and place on the waiting list."""
    ahead = Enrolment.objects.filter(
        run=OuterRef("run"),
        status=EnrolmentStatus.WAITLISTED,
        waitlist_position__lt=OuterRef("waitlist_position"),
    )
    runs = with_run_facts(CourseRun.objects.select_related("course"))
    return (
        Enrolment.objects.filter(trainee=user)
        .annotate(waitlist_ahead=count_of(ahead, "run"))
        .prefetch_related(Prefetch("run", queryset=runs), Prefetch("run__days"))
        .order_by("-applied_at", "-pk")
    )


def my_documents(user):
    return (
        EnrolmentAnswer.objects.filter(enrolment__trainee=user)
        .exclude(evidence="")
        .select_related("enrolment__run__course")
        .order_by("-uploaded_at", "-pk")
    )


def trainer_day_counts(user, *, course=None, until=None):
    """Days `user` led, supported or shadowed (up to `until`, default today), by role."""
    until = until or timezone.localdate()
    days = TrainerDay.objects.filter(run_trainer__trainer=user, day__date__lte=until).exclude(
        run_trainer__run__status=RunStatus.CANCELLED
    )
    if course is not None:
        days = days.filter(run_trainer__run__course=course)
    counts = dict(days.order_by().values_list("role").annotate(count=Count("pk")))
    return {role: counts.get(role, 0) for role in TrainerRole.values}


# Shown when a course has no payment instructions of its own.
DEFAULT_PAYMENT_INSTRUCTIONS = (
    "The Centre's coordinators send you an invoice for the fee, with the ways to pay it. If your "
    "employer or NHS Talking Therapies service is paying, please tell the coordinators through the "
    "[contact page](/contact/) who should receive the invoice."
)


def fee_for(run):
    """The fee of a run: its own price, or the total of its course's fee lines (None if neither)."""
    if run.price is not None:
        return run.price
    fees = list(run.course.fees.all())
    if not fees:
        return None
    return sum((fee.amount for fee in fees), Decimal("0.00"))


def payment_instructions(course):
    return course.payment_instructions or DEFAULT_PAYMENT_INSTRUCTIONS


def next_live_runs(limit=3):
    """The next trainings open for applications, soonest first (the home page)."""
    return listed_runs()[:limit]
