"""Reads of the supervision ledger, for its pages and for the accreditation engine.

The engine decides what counts toward which credential; these only say what is recorded.
Every date range is inclusive at both ends; `None` leaves that end open.

For the engine:
- `confirmed_sessions(person, *, since=None, until=None, formal=None)` -> QuerySet of
  SupervisionSession: the sessions `person` logged that their named supervisor CONFIRMED
  (pending, disputed and withdrawn ones never appear, D5), oldest first, with `supervisor` joined.
  Each row has `.supervisor_id`, `.date`, `.hours` (Decimal), `.format`, `.kind` and
  `.decided_at`; `formal=True` keeps formal supervision, `False` peer supervision.
  Whether the supervisor was an accredited DIT supervisor on `.date` (D5, D15) is the
  engine's question: it holds the credential history.
- `confirmed_hours(person, *, since=None, until=None, formal=None)` -> Decimal: the sum
  of the same sessions' hours (Decimal("0") if none).
- `therapy_hours(person, start=None, end=None)` -> Decimal: DIT therapy hours logged on
  `person`'s cases between the dates (D8's 1:12 compares this with formal supervision).
- `cases_seen(person, start=None, end=None)` -> QuerySet of Case with therapy hours
  logged between the dates ("one DIT patient a year", D7/D14).
- `cases_seen_counts(people, start=None, end=None)` -> {person id: number of those cases}
  for a list of people (ids or users) in one query; people with none are absent.
- `cases(person, *, purpose=None, started_since=None)` -> QuerySet of Case, oldest first,
  with `supervisor` joined; `purpose` is a CasePurpose or a tuple of them.
- `most_concurrent(cases, *, today=None)` -> list of Case: the largest set of the given
  cases that ran at the same time on one day (an open case runs to `today`).
- `passed_recordings(case_or_cases)` -> QuerySet of Recording rated pass (D4), with
  `.phase`, `.session_date`, `.rated_by_id`, `.rated_at` and `.case`.
- `closely_supervised_cases(person, *, purpose=None)` -> QuerySet of Case that their
  supervisor confirmed as closely supervised to the end (D6), with
  `.close_supervision_confirmed_at` and `.close_supervision_confirmed_by_id`.
- `cpd_records(person, year=None)` -> QuerySet of CpdRecord, oldest first (D1, D2).
- `supervisees(supervisor, *, as_of=None)` -> QuerySet of User: everyone who named
  `supervisor` on a case or a session, annotated with `in_training` (they named them on a
  practitioner training case), `confirmed_hours` (Decimal, sessions this supervisor
  confirmed) and `pending` (sessions awaiting this supervisor); with `as_of`, only cases
  begun, sessions held and confirmations given by that day count.
- `training_start(person)` -> date or None: the first day of `person`'s first 5-day or
  20-day run (a course leading to DIT Practitioner) that they completed or attended.
- `accredited_supervisors()` -> QuerySet of User holding DIT Supervisor as accredited now.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_countries.fields import Country

from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential
from members.roles import SUPERVISOR
from trainings.enums import EnrolmentStatus
from trainings.models import Attendance, Enrolment, RunDay

from .enums import (
    MODALITY_MATCHES,
    SESSION_TRANSITIONS,
    SUPERVISOR_DECISIONS,
    CasePurpose,
    RecordingRating,
    SessionStatus,
    SupervisionKind,
)
from .models import Case, CpdRecord, Recording, SupervisionSession, SupervisorListing, TherapyHours

ZERO = Decimal("0")


def _between(queryset, field, start, end):
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def _total(queryset, field="hours"):
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


# For the accreditation engine --------------------------------------------------------


def confirmed_sessions(person, *, since=None, until=None, formal=None):
    sessions = SupervisionSession.objects.filter(practitioner=person, status=SessionStatus.CONFIRMED)
    sessions = _between(sessions, "date", since, until)
    if formal is not None:
        sessions = sessions.filter(kind=SupervisionKind.FORMAL if formal else SupervisionKind.PEER)
    return sessions.select_related("supervisor").order_by("date", "pk")


def confirmed_hours(person, *, since=None, until=None, formal=None):
    return _total(confirmed_sessions(person, since=since, until=until, formal=formal).order_by())


def therapy_hours(person, start=None, end=None):
    return _total(_between(TherapyHours.objects.filter(case__practitioner=person), "date", start, end))


def _seen(start, end):
    logged = _between(TherapyHours.objects.filter(case=OuterRef("pk")), "date", start, end)
    return Case.objects.filter(Exists(logged))


def cases_seen(person, start=None, end=None):
    return _seen(start, end).filter(practitioner=person).order_by("started_on", "pk")


def cases_seen_counts(people, start=None, end=None):
    seen = (
        _seen(start, end)
        .filter(practitioner__in=list(people))
        .order_by()
        .values("practitioner")
        .annotate(seen=Count("pk"))
        .values_list("practitioner", "seen")
    )
    return dict(seen)


def cases(person, *, purpose=None, started_since=None):
    found = Case.objects.filter(practitioner=person)
    if purpose is not None:
        found = found.filter(purpose__in=(purpose,) if isinstance(purpose, str) else purpose)
    if started_since is not None:
        found = found.filter(started_on__gte=started_since)
    return found.select_related("supervisor").order_by("started_on", "pk")


def most_concurrent(cases, *, today=None):
    """Intervals that overlap pairwise share a day, so the largest concurrent set is the
    largest set of cases open on one of their start days."""
    cases = list(cases)
    today = today or timezone.localdate()
    best = []
    for start in {case.started_on for case in cases}:
        running = [case for case in cases if case.started_on <= start <= (case.ended_on or today)]
        if len(running) > len(best):
            best = running
    return sorted(best, key=lambda case: (case.started_on, case.pk))


def passed_recordings(case_or_cases):
    recordings = Recording.objects.filter(rating=RecordingRating.PASS).select_related("case")
    if isinstance(case_or_cases, Case):
        recordings = recordings.filter(case=case_or_cases)
    else:
        recordings = recordings.filter(case__in=case_or_cases)
    return recordings.order_by("session_date", "pk")


def closely_supervised_cases(person, *, purpose=None):
    return cases(person, purpose=purpose).filter(close_supervision_confirmed_at__isnull=False)


def cpd_records(person, year=None):
    records = CpdRecord.objects.filter(person=person)
    if year is not None:
        records = records.filter(date__year=year)
    return records.order_by("date", "pk")


def supervisees(supervisor, *, as_of=None):
    user_model = get_user_model()
    supervised_cases = Case.objects.filter(supervisor=supervisor)
    supervised_sessions = SupervisionSession.objects.filter(supervisor=supervisor)
    if as_of is not None:
        supervised_cases = supervised_cases.filter(started_on__lte=as_of)
        supervised_sessions = supervised_sessions.filter(date__lte=as_of)
    # People named on the supervisor's cases or sessions, found from those rows (by their
    # supervisor index), not by testing every account.
    named = Q(pk__in=supervised_cases.values("practitioner")) | Q(pk__in=supervised_sessions.values("practitioner"))
    sessions = supervised_sessions.filter(practitioner=OuterRef("pk")).order_by()
    confirmed = sessions.filter(status=SessionStatus.CONFIRMED)
    if as_of is not None:
        confirmed = confirmed.filter(Q(decided_at__isnull=True) | Q(decided_at__date__lte=as_of))
    hours = confirmed.values("practitioner").annotate(total=Sum("hours")).values("total")
    pending = sessions.filter(status=SessionStatus.PENDING).values("practitioner").annotate(n=Count("pk")).values("n")
    return (
        user_model.objects.filter(named)
        .annotate(
            in_training=Exists(
                supervised_cases.filter(practitioner=OuterRef("pk"), purpose=CasePurpose.PRACTITIONER_TRAINING)
            ),
            confirmed_hours=Coalesce(
                Subquery(hours, output_field=DecimalField(max_digits=8, decimal_places=2)),
                Value(ZERO),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            ),
            pending=Coalesce(Subquery(pending), Value(0)),
        )
        .order_by("full_name", "email")
    )


def supervisee_totals(supervisor_ids, *, as_of):
    """The batch form of `supervisees` for the requirements engine: {supervisor id:
    {practitioner id: (confirmed hours, in training)}} for the people named on each
    supervisor's cases or sessions by `as_of`, with the same counting (sessions dated by
    `as_of` and confirmed by then; in training: a practitioner-training case with that
    supervisor begun by then). Two queries, whatever the number of supervisors."""
    totals = {supervisor_id: {} for supervisor_id in supervisor_ids}
    cases = (
        Case.objects.filter(supervisor_id__in=list(supervisor_ids), started_on__lte=as_of)
        .values_list("supervisor_id", "practitioner_id", "purpose")
        .order_by()
    )
    for supervisor_id, practitioner_id, purpose in cases:
        hours, in_training = totals[supervisor_id].get(practitioner_id, (ZERO, False))
        totals[supervisor_id][practitioner_id] = (hours, in_training or purpose == CasePurpose.PRACTITIONER_TRAINING)
    sessions = (
        SupervisionSession.objects.filter(supervisor_id__in=list(supervisor_ids), date__lte=as_of)
        .values_list("supervisor_id", "practitioner_id")
        .annotate(
            confirmed=Coalesce(
                Sum(
                    "hours",
                    filter=Q(status=SessionStatus.CONFIRMED)
                    & (Q(decided_at__isnull=True) | Q(decided_at__date__lte=as_of)),
                ),
                Value(ZERO),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            )
        )
        .order_by()
    )
    for supervisor_id, practitioner_id, confirmed in sessions:
        hours, in_training = totals[supervisor_id].get(practitioner_id, (ZERO, False))
        totals[supervisor_id][practitioner_id] = (hours + confirmed, in_training)
    return totals


def training_start(person):
    """The first day of the person's first practitioner-training run they completed or
    attended (at least one day marked present)."""
    attended = Attendance.objects.filter(enrolment=OuterRef("pk"), present=True)
    enrolments = Enrolment.objects.filter(
        trainee=person, run__course__leads_to_credential=CredentialKind.PRACTITIONER
    ).filter(Q(status=EnrolmentStatus.COMPLETED) | Q(Exists(attended)))
    return (
        RunDay.objects.filter(run__in=enrolments.values("run")).order_by("date").values_list("date", flat=True).first()
    )


def accredited_supervisors():
    return get_user_model().objects.filter(
        credentials__kind=CredentialKind.SUPERVISOR, credentials__status=CredentialStatus.ACCREDITED
    )


# For the ledger's own pages and forms -------------------------------------------------


def supervisor_choices(*, exclude=None):
    """People a practitioner may name as supervisor: anyone holding the DIT Supervisor
    credential (accredited, in training, lapsed or suspended; not revoked) or the
    Supervisor role."""
    user_model = get_user_model()
    holds = Exists(
        HeldCredential.objects.filter(holder=OuterRef("pk"), kind=CredentialKind.SUPERVISOR).exclude(
            status=CredentialStatus.REVOKED
        )
    )
    people = user_model.objects.filter(is_active=True).filter(Q(holds) | Q(groups__name=SUPERVISOR)).distinct()
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people.order_by("full_name", "email")


def listed_countries():
    """The countries of the listed supervisors, by name, for the directory's filter."""
    codes = listed_supervisors().order_by().values_list("country", flat=True).distinct()
    return sorted((Country(code) for code in codes), key=lambda country: country.name)


def listed_supervisors(*, country=None, region=None, modality=None):
    """The public directory: entries opted in, of people accredited as supervisors now."""
    listings = SupervisorListing.objects.filter(
        is_listed=True, supervisor__in=accredited_supervisors().values("pk"), supervisor__is_active=True
    )
    if country:
        listings = listings.filter(country=country)
    if region:
        listings = listings.filter(region__icontains=region)
    if modality:
        listings = listings.filter(modality__in=MODALITY_MATCHES[modality])
    return listings.order_by("display_name", "pk")


def awaiting_session_states():
    """Sessions the supervisor may still confirm or dispute."""
    return [
        status
        for status, targets in SESSION_TRANSITIONS.items()
        if any(target in SUPERVISOR_DECISIONS for target in targets)
    ]


def sessions_awaiting(supervisor):
    """The sessions logged with `supervisor` that wait for them to confirm or dispute."""
    return SupervisionSession.objects.filter(supervisor=supervisor, status__in=awaiting_session_states())
