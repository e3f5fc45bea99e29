"""The yearly maintenance check (D7, D8, D14, D1), per calendar year:

    check(person, year, today=None) -> MaintenanceCheck (.items, .passed, .applies)
    check_many(people, year, today=None) -> {person id: MaintenanceCheck}

- one DIT patient seen in the year (practitioners, and so supervisors and trainers, D14);
- in the first year as a practitioner (the 365 days from the practitioner credential's
  accreditation date, which may be backdated), formal DIT supervision hours x 12 >= DIT
  therapy hours, over the part of that first year inside the calendar year (D8);
- the yearly CPD event: required of AFC trainers; shown for others, never failing (D1).

`check` is `check_many` for one person: the batch reads each table once for up to
BATCH_SIZE people and judges each of them with the same code (`_judge`), so a page, the
providers' dashboard and the yearly job cost the same few queries for 1 person or 500.

`record_check` / `record_checks` store the result per person and year and warn the person
by e-mail when it fails (once per person and year); they never change a credential.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    BooleanField,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_actions
from dit_portal.emails import send_templated_email
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, MeetingAttendance
from members.services import all_credential_timelines, status_in_timeline, status_on_day
from supervision import selectors as ledger
from supervision.enums import SessionStatus, SupervisionKind
from supervision.models import SupervisionSession, TherapyHours
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Enrolment

from . import thresholds
from .models import MaintenanceResult, MaintenanceSummary
from .pathways import Item, _day, _number


@dataclass
class MaintenanceCheck:
    person: object
    year: int
    items: list = field(default_factory=list)
    applies: bool = True

    @property
    def passed(self):
        return all(item.met for item in self.items if item.required)


def _cpd_event_runs(start, end):
    return (
        Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED, run__course__counts_as_cpd_event=True)
        .exclude(run__status=RunStatus.CANCELLED)
        .annotate(ends_on=Max("run__days__date"))
        .filter(ends_on__gte=start, ends_on__lte=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__lte=end))
    )


def _cpd_event_meetings(start, end):
    return MeetingAttendance.objects.filter(
        meeting__is_cancelled=False,
        meeting__counts_as_yearly_cpd_event=True,
        meeting__starts_at__date__gte=start,
        meeting__starts_at__date__lte=end,
    )


def cpd_event_attended(start, end, person_ref=None):
    """The yearly CPD event rule (D1), the one place it is written: a Q on users (or, with
    `person_ref`, e.g. OuterRef("holder"), on any row pointing at a person) that holds when
    the person completed a run of a course flagged "counts as the yearly CPD event", the
    run ending between the dates, or attended a network meeting so flagged. Self-logged CPD
    records are CPD, never the event: they are not read from the portal's own records.
    The yearly check (through `cpd_event_sources`, the same rows), the trainers' reminder
    and the providers' dashboard read this."""
    person_ref = person_ref if person_ref is not None else OuterRef("pk")
    return Q(Exists(_cpd_event_runs(start, end).filter(trainee=person_ref))) | Q(
        Exists(_cpd_event_meetings(start, end).filter(person=person_ref))
    )


def cpd_event_sources(people, start, end):
    """{person id: what meets the yearly CPD event between the dates}, described for the
    check's evidence, for a list of people (ids or users) in two queries. A person meets the
    event exactly when they have a source: the rows are those `cpd_event_attended` tests."""
    ids = list(people)
    sources = {}
    runs = (
        _cpd_event_runs(start, end)
        .filter(trainee__in=ids)
        .select_related("run__course")
        .order_by("trainee_id", "ends_on", "pk")
    )
    for enrolment in runs:
        sources.setdefault(enrolment.trainee_id, []).append(f"{enrolment.run} ({_day(enrolment.ends_on)})")
    meetings = (
        _cpd_event_meetings(start, end)
        .filter(person__in=ids)
        .select_related("meeting__network")
        .order_by("person_id", "meeting__starts_at", "pk")
    )
    for row in meetings:
        sources.setdefault(row.person_id, []).append(
            f"{row.meeting.network.name}: {row.meeting.title} ({_day(timezone.localdate(row.meeting.starts_at))})"
        )
    return sources


HOURS = DecimalField(max_digits=10, decimal_places=2)


def first_year_hours(person_ref, start, end, *, as_of):
    """D8's two sums, the one place they are written, as query expressions: {"therapy":
    DIT therapy hours logged from `start` to `end`, "supervision": confirmed formal
    supervision hours in those dates, confirmed by `as_of`, with a supervisor accredited on
    the session's date (D5, D15)}. `person_ref`, `start` and `end` may be OuterRefs: the
    yearly check and the first-year reminder both annotate with these."""
    therapy = (
        TherapyHours.objects.filter(case__practitioner=person_ref, date__gte=start, date__lte=end)
        .order_by()
        .values("case__practitioner")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    supervision = (
        SupervisionSession.objects.filter(
            practitioner=person_ref,
            status=SessionStatus.CONFIRMED,
            kind=SupervisionKind.FORMAL,
            date__gte=start,
            date__lte=end,
        )
        .filter(Q(decided_at__isnull=True) | Q(decided_at__date__lte=as_of))
        .annotate(supervisor_then=status_on_day(OuterRef("supervisor"), CredentialKind.SUPERVISOR, OuterRef("date")))
        .filter(supervisor_then=CredentialStatus.ACCREDITED)
        .order_by()
        .values("practitioner")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    zero = Value(Decimal("0"), output_field=HOURS)
    return {
        "therapy": Coalesce(Subquery(therapy, output_field=HOURS), zero, output_field=HOURS),
        "supervision": Coalesce(Subquery(supervision, output_field=HOURS), zero, output_field=HOURS),
    }


def ratio_short(ratio):
    """The 1:12 rule on rows annotated by `first_year_hours`: supervision x ratio < therapy."""
    return Q(therapy__gt=ExpressionWrapper(F("supervision") * Value(ratio, output_field=HOURS), output_field=HOURS))


BATCH_SIZE = 500


def check(person, year, today=None):
    """One person's check: the batch of one (`check_many`), so the rule has one copy."""
    return check_many([person], year, today=today)[person.pk]


def check_many(people, year, today=None):
    """{person id: MaintenanceCheck} for `people` (users), in the order given. Each table is
    read once per batch of BATCH_SIZE people, whatever their number; then each person is
    judged in Python by `_judge`."""
    today = today or timezone.localdate()
    people = list(people)
    outcomes = {person.pk: MaintenanceCheck(person=person, year=year) for person in people}
    for first in range(0, len(people), BATCH_SIZE):
        batch = people[first : first + BATCH_SIZE]
        facts = _read(batch, year, today)
        for person in batch:
            _judge(outcomes[person.pk], facts)
    return outcomes


@dataclass
class _Facts:
    """What the check reads of one batch of people, each table once."""

    year: int
    accredited_on: dict = field(default_factory=dict)  # person id -> the practitioner credential's date, if it applies
    limits: object = None
    seen: dict = field(default_factory=dict)  # person id -> DIT cases with therapy hours in the year
    first_year: dict = field(default_factory=dict)  # person id -> the first year's window, sums and verdict
    trainers: set = field(default_factory=set)  # ids of accredited AFC trainers at the end of the year
    cpd_sources: dict = field(default_factory=dict)  # person id -> what met the CPD event


def _read(people, year, today):
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    facts = _Facts(year=year)
    if end < start:
        return facts
    ids = [person.pk for person in people]
    timelines = all_credential_timelines(ids)
    credentials = HeldCredential.objects.filter(
        holder_id__in=ids, kind=CredentialKind.PRACTITIONER, accredited_on__lte=end
    ).values_list("holder_id", "accredited_on")
    facts.accredited_on = {
        holder_id: accredited_on
        for holder_id, accredited_on in credentials
        if status_in_timeline(timelines[holder_id].get(CredentialKind.PRACTITIONER), end) == CredentialStatus.ACCREDITED
    }
    if not facts.accredited_on:
        return facts
    applying = list(facts.accredited_on)
    facts.limits = thresholds.current()
    facts.seen = ledger.cases_seen_counts(applying, start, end)
    facts.first_year = _first_year_hours(applying, start, end, facts.limits, today)
    facts.trainers = {
        person_id
        for person_id in applying
        if status_in_timeline(timelines[person_id].get(CredentialKind.TRAINER), end) == CredentialStatus.ACCREDITED
    }
    facts.cpd_sources = cpd_event_sources(applying, start, end)
    return facts


def _first_year_hours(people, start, end, limits, today):
    """{person id: {"window_start", "window_end", "therapy", "supervision", "short"}} for
    the people whose first year as a practitioner (the `maintenance_first_year_days` from
    the credential's accreditation date) overlaps `start`..`end`, in one query: the window
    is the overlap, the sums are `first_year_hours` over it and `short` is `ratio_short`."""
    days = limits.whole("maintenance_first_year_days")
    ratio = limits["maintenance_therapy_hours_per_supervision_hour"]
    last_day = Cast(F("accredited_on") + datetime.timedelta(days=days - 1), output_field=DateField())
    rows = (
        HeldCredential.objects.filter(holder_id__in=people, kind=CredentialKind.PRACTITIONER)
        .annotate(
            window_start=Greatest(Value(start, output_field=DateField()), F("accredited_on")),
            window_end=Least(Value(end, output_field=DateField()), last_day),
        )
        .filter(window_start__lte=F("window_end"))
        .annotate(**first_year_hours(OuterRef("holder"), OuterRef("window_start"), OuterRef("window_end"), as_of=today))
        .annotate(short=ExpressionWrapper(ratio_short(ratio), output_field=BooleanField()))
        .values("holder_id", "window_start", "window_end", "therapy", "supervision", "short")
    )
    return {row.pop("holder_id"): row for row in rows}


def _judge(result, facts):
    """The yearly rule for one person, from the facts read for their batch."""
    person_id, year = result.person.pk, facts.year
    if person_id not in facts.accredited_on:
        result.applies = False
        return
    limits = facts.limits

    patients_needed = limits["maintenance_patients_per_year"]
    seen = facts.seen.get(person_id, 0)
    result.items.append(
        Item(
            "patient",
            "DIT patients seen this year",
            seen >= patients_needed,
            evidence=f"{seen} DIT case{'s' if seen != 1 else ''} with therapy hours logged in {year}",
            missing=""
            if seen >= patients_needed
            else f"See at least {_number(patients_needed)} DIT patient in {year}.",
        )
    )

    hours = facts.first_year.get(person_id)
    if hours is not None:
        ratio = limits["maintenance_therapy_hours_per_supervision_hour"]
        therapy, supervision, met = hours["therapy"], hours["supervision"], not hours["short"]
        needed = therapy / ratio if ratio else Decimal("0")
        result.items.append(
            Item(
                "first_year_ratio",
                f"First year: formal supervision 1:{_number(ratio)}",
                met,
                evidence=f"{_number(supervision)} h of formal DIT supervision for {_number(therapy)} h of DIT therapy "
                f"({_day(hours['window_start'])} to {_day(hours['window_end'])})",
                missing=""
                if met
                else f"At least {_number(needed.quantize(Decimal('0.01')))} h of formal supervision needed.",
            )
        )

    is_trainer = person_id in facts.trainers
    sources = facts.cpd_sources.get(person_id, [])
    attended = bool(sources)
    result.items.append(
        Item(
            "cpd_event",
            "Yearly CPD event for trainers and supervisors",
            attended,
            evidence="; ".join(sources),
            missing=""
            if attended
            else f"Attend a CPD event in {year} (e.g. CPD Day)."
            + ("" if is_trainer else " Recommended; not required for your credentials."),
            required=is_trainer,
        )
    )


def record_check(person, year, *, by=None, today=None):
    """Check, store the result for the person and year, and warn them once if it fails
    (`record_checks` for one person)."""
    return record_checks([person], year, by=by, today=today)[person.pk]


def record_checks(people, year, *, by=None, today=None):
    """Check `people` (a batch: `check_many`) and store their results in one transaction:
    {person id: the MaintenanceResult stored, or None where the check does not apply}.

    Results are written in one statement (insert, or update the person's row for the year),
    each with its audit entry; a result that no longer applies is withdrawn (audited). Each
    person whose check fails is warned once per year: the warning is claimed on the row
    (`warned_at` still empty) while the transaction holds it, so two runs never warn twice.
    The e-mails leave after the commit (the outbox)."""
    outcomes = check_many(people, year, today=today)
    stored = dict.fromkeys(outcomes)
    now = timezone.now()
    with transaction.atomic():
        withdrawn = [person_id for person_id, outcome in outcomes.items() if not outcome.applies]
        if withdrawn:
            stale = list(
                MaintenanceResult.objects.select_for_update()
                .filter(person_id__in=withdrawn, year=year)
                .select_related("person")
                .order_by("person_id")
            )
            log_actions(
                [
                    (
                        row,
                        "accreditation.maintenance.withdrawn",
                        {"year": year, "passed": row.passed, "reason": "the check no longer applies"},
                    )
                    for row in stale
                ],
                user=by,
            )
            MaintenanceResult.objects.filter(pk__in=[row.pk for row in stale]).delete()
        # In the people's order, so that two runs lock the same rows in the same order.
        checked = sorted((outcome for outcome in outcomes.values() if outcome.applies), key=lambda o: o.person.pk)
        if not checked:
            return stored
        rows = MaintenanceResult.objects.bulk_create(
            [
                MaintenanceResult(
                    person=outcome.person,
                    year=year,
                    passed=outcome.passed,
                    items=[item.as_dict() for item in outcome.items],
                    checked_at=now,
                )
                for outcome in checked
            ],
            update_conflicts=True,
            unique_fields=["person", "year"],
            update_fields=["passed", "items", "checked_at"],
        )
        log_actions(
            [(row, "accreditation.maintenance.checked", {"year": year, "passed": row.passed}) for row in rows],
            user=by,
        )
        stored.update((row.person_id, row) for row in rows)
        failed = [row.pk for row in rows if not row.passed]
        to_warn = set(
            MaintenanceResult.objects.select_for_update()
            .filter(pk__in=failed, warned_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not to_warn:
            return stored
        MaintenanceResult.objects.filter(pk__in=to_warn).update(warned_at=now)
        for row in rows:
            if row.pk in to_warn:
                row.warned_at = now
                outcome = outcomes[row.person_id]
                send_templated_email(
                    "accreditation/emails/maintenance_warning",
                    {
                        "person": outcome.person,
                        "year": year,
                        "items": [item for item in outcome.items if item.required and not item.met],
                        "pathway_url": reverse("accreditation:my_pathway"),
                    },
                    to=outcome.person.email,
                )
    return stored


def people_to_check(year, *, on=None):
    """People whose DIT Practitioner credential was accredited on the last day of `year`
    (from its history, not today's status: a credential that lapsed in the January of the
    check is still checked for the year before), accredited by the end of `year`. With
    `on`, a day of `year` itself: those accredited on that day ("this year so far")."""
    year_end = on or datetime.date(year, 12, 31)
    return (
        HeldCredential.objects.filter(kind=CredentialKind.PRACTITIONER, accredited_on__lte=year_end)
        .annotate(status_then=status_on_day(OuterRef("holder"), CredentialKind.PRACTITIONER, Value(year_end)))
        .filter(status_then=CredentialStatus.ACCREDITED)
        .values_list("holder_id", flat=True)
    )


def claim_summary(year):
    """Claim the coordinators' summary of `year` (True once, however often the job runs)."""
    MaintenanceSummary.objects.get_or_create(year=year)
    return bool(MaintenanceSummary.objects.filter(year=year, sent_at__isnull=True).update(sent_at=timezone.now()))
