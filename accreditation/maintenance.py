"""The yearly maintenance check (D7, D8, D14, D1), per calendar year:

    check(person, year, today=None) -> MaintenanceCheck (.items, .passed, .applies)

- one DIT patient seen in the year (practitioners, and so supervisors and trainers, D14);
- in the first year as a practitioner (the 365 days from the practitioner credential's
  accreditation date, which may be backdated), formal DIT supervision hours x 12 >= DIT
  therapy hours, over the part of that first year inside the calendar year (D8);
- the yearly CPD event: required of AFC trainers; shown for others, never failing (D1).

`record_check` stores the result per person and year and warns the person by e-mail when
it fails (once per person and year); it never changes a credential.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    BooleanField,
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
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, MeetingAttendance, User
from members.services import credential_timelines, status_in_timeline, status_on_day
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


def _cpd_event_runs(person_ref, start, end):
    return (
        Enrolment.objects.filter(
            trainee=person_ref, status=EnrolmentStatus.COMPLETED, run__course__counts_as_cpd_event=True
        )
        .exclude(run__status=RunStatus.CANCELLED)
        .annotate(ends_on=Max("run__days__date"))
        .filter(ends_on__gte=start, ends_on__lte=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__lte=end))
    )


def _cpd_event_meetings(person_ref, start, end):
    return MeetingAttendance.objects.filter(
        person=person_ref,
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
    The yearly check, the trainers' reminder and the providers' dashboard read this."""
    person_ref = person_ref if person_ref is not None else OuterRef("pk")
    return Q(Exists(_cpd_event_runs(person_ref, start, end))) | Q(Exists(_cpd_event_meetings(person_ref, start, end)))


def cpd_event_sources(person, start, end):
    """What meets the yearly CPD event between the dates (`cpd_event_attended`), described
    for the check's evidence."""
    runs = _cpd_event_runs(person, start, end).select_related("run__course").order_by("ends_on")
    meetings = _cpd_event_meetings(person, start, end).select_related("meeting__network").order_by("meeting__starts_at")
    return [f"{enrolment.run} ({_day(enrolment.ends_on)})" for enrolment in runs] + [
        f"{row.meeting.network.name}: {row.meeting.title} ({_day(timezone.localdate(row.meeting.starts_at))})"
        for row in meetings
    ]


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


def check(person, year, today=None):
    today = today or timezone.localdate()
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    result = MaintenanceCheck(person=person, year=year)
    practice = credential_timelines([person.pk], CredentialKind.PRACTITIONER).get(person.pk)
    credential = HeldCredential.objects.filter(holder=person, kind=CredentialKind.PRACTITIONER).first()
    if (
        end < start
        or credential is None
        or credential.accredited_on is None
        or credential.accredited_on > end
        or status_in_timeline(practice, end) != CredentialStatus.ACCREDITED
    ):
        result.applies = False
        return result
    limits = thresholds.current()

    patients_needed = limits["maintenance_patients_per_year"]
    seen = ledger.cases_seen(person, start, end).count()
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

    first_day = credential.accredited_on
    last_day = first_day + datetime.timedelta(days=limits.whole("maintenance_first_year_days") - 1)
    window_start, window_end = max(start, first_day), min(end, last_day)
    if window_start <= window_end:
        ratio = limits["maintenance_therapy_hours_per_supervision_hour"]
        hours = (
            User.objects.filter(pk=person.pk)
            .annotate(**first_year_hours(OuterRef("pk"), window_start, window_end, as_of=today))
            .annotate(short=ExpressionWrapper(ratio_short(ratio), output_field=BooleanField()))
            .values("therapy", "supervision", "short")
            .get()
        )
        therapy, supervision, met = hours["therapy"], hours["supervision"], not hours["short"]
        needed = therapy / ratio if ratio else Decimal("0")
        result.items.append(
            Item(
                "first_year_ratio",
                f"First year: formal supervision 1:{_number(ratio)}",
                met,
                evidence=f"{_number(supervision)} h of formal DIT supervision for {_number(therapy)} h of DIT therapy "
                f"({_day(window_start)} to {_day(window_end)})",
                missing=""
                if met
                else f"At least {_number(needed.quantize(Decimal('0.01')))} h of formal supervision needed.",
            )
        )

    is_trainer = (
        status_in_timeline(credential_timelines([person.pk], CredentialKind.TRAINER).get(person.pk), end)
        == CredentialStatus.ACCREDITED
    )
    sources = cpd_event_sources(person, start, end)
    attended = User.objects.filter(pk=person.pk).filter(cpd_event_attended(start, end)).exists()
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
    return result


def record_check(person, year, *, by=None, today=None):
    """Check, store the result for the person and year, and warn them once if it fails."""
    outcome = check(person, year, today=today)
    if not outcome.applies:
        with transaction.atomic():
            stale = MaintenanceResult.objects.select_for_update().filter(person=person, year=year).first()
            if stale is not None:
                log_action(
                    stale,
                    "accreditation.maintenance.withdrawn",
                    user=by,
                    data={"year": year, "passed": stale.passed, "reason": "the check no longer applies"},
                )
                stale.delete()
        return None
    with transaction.atomic():
        stored, _ = MaintenanceResult.objects.update_or_create(
            person=person,
            year=year,
            defaults={
                "passed": outcome.passed,
                "items": [item.as_dict() for item in outcome.items],
                "checked_at": timezone.now(),
            },
        )
        log_action(stored, "accreditation.maintenance.checked", user=by, data={"year": year, "passed": outcome.passed})
        if not outcome.passed:
            claimed = MaintenanceResult.objects.filter(pk=stored.pk, warned_at__isnull=True).update(
                warned_at=timezone.now()
            )
            if claimed:
                send_templated_email(
                    "accreditation/emails/maintenance_warning",
                    {
                        "person": person,
                        "year": year,
                        "items": [item for item in outcome.items if item.required and not item.met],
                        "pathway_url": reverse("accreditation:my_pathway"),
                    },
                    to=person.email,
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
