"""Reminders driven by what the accreditation rules still need: read from accreditation
(role-play, case study, maintenance results, thresholds) and the supervision ledger.

The yearly maintenance check itself (accreditation.maintenance) warns the person once when
it fails; these rules nudge before the year ends, and tell the coordinators 30 days after a
person was warned if the check still fails.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accreditation import thresholds
from accreditation.enums import CaseStudyStatus, RolePlayOutcome
from accreditation.maintenance import cpd_event_attended, first_year_hours, ratio_short
from accreditation.models import CaseStudySubmission, MaintenanceResult, RolePlayResult
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, User
from members.roles import COORDINATOR
from supervision.models import TherapyHours

from .base import COORDINATORS, Due, Rule

DAYS_BEFORE_DEADLINE = 14
DAYS_BEFORE_YEAR_END = 60
DAYS_BEFORE_COORDINATORS = 30
HOURS = DecimalField(max_digits=10, decimal_places=2)


def _day(date):
    return f"{date:%-d %B %Y}"


def _year_end(today):
    return datetime.date(today.year, 12, 31)


def _near_year_end(today):
    """From 60 days before 31 December (1 November) to the end of the year."""
    return _year_end(today) - today <= datetime.timedelta(days=DAYS_BEFORE_YEAR_END)


def _accredited(kind, today):
    return HeldCredential.objects.filter(kind=kind, status=CredentialStatus.ACCREDITED, accredited_on__lte=today)


class ReferralDeadlineDue(Rule):
    """A referral (D16) whose deadline is within 14 days, and no later attempt yet. A subclass
    names the model, its referred status, its deadline and attempt fields, and the message."""

    model = None
    referred = Q()  # the rows that are referrals
    deadline = ""  # the deadline's field
    attempt = ""  # the attempt number's field: a higher one is the later attempt
    key = ""  # the period key's prefix
    fix_url_name = ""
    missing = ""  # with {deadline}

    def candidates(self, today):
        later = self.model.objects.filter(person=OuterRef("person"), **{f"{self.attempt}__gt": OuterRef(self.attempt)})
        return (
            self.model.objects.filter(
                self.referred,
                **{
                    f"{self.deadline}__gte": today,
                    f"{self.deadline}__lte": today + datetime.timedelta(days=DAYS_BEFORE_DEADLINE),
                },
            )
            .exclude(Exists(later))
            .select_related("person")
        )

    def build(self, rows, today):
        return [
            Due(
                person=row.person,
                period_key=f"{self.key}-{row.pk}",
                missing=self.missing.format(deadline=_day(getattr(row, self.deadline))),
                fix_url=reverse(self.fix_url_name),
                context={"deadline": getattr(row, self.deadline), "feedback": row.feedback},
            )
            for row in rows
        ]


class RolePlayRetakeDue(ReferralDeadlineDue):
    kind = "role_play_retake_due"
    label = "Your role-play retake is due within two weeks"
    model = RolePlayResult
    referred = Q(outcome=RolePlayOutcome.REFER, voided_at__isnull=True)
    deadline, attempt, key = "retake_by", "attempt", "role-play"
    fix_url_name = "accreditation:my_pathway"
    missing = "Your role-play retake is due by {deadline} and is not recorded yet."


class CaseStudyResubmissionDue(ReferralDeadlineDue):
    kind = "case_study_resubmission_due"
    label = "Your case-study resubmission is due within two weeks"
    model = CaseStudySubmission
    referred = Q(status=CaseStudyStatus.REFERRED)
    deadline, attempt, key = "resubmit_by", "number", "case-study"
    fix_url_name = "accreditation:case_study_upload"
    missing = "Your revised case study is due by {deadline} and has not been uploaded."


class NoPatientThisYear(Rule):
    """From 1 November: an accredited practitioner who has seen fewer DIT patients this year
    than maintenance asks (D7, D14; one by default)."""

    kind = "no_patient_this_year"
    label = "No DIT patient logged this year"

    def candidates(self, today):
        if not _near_year_end(today):
            return HeldCredential.objects.none()
        needed = thresholds.current().whole("maintenance_patients_per_year")
        seen = (
            TherapyHours.objects.filter(
                case__practitioner=OuterRef("holder"), date__gte=datetime.date(today.year, 1, 1), date__lte=today
            )
            .order_by()
            .values("case__practitioner")
            .annotate(cases=Count("case", distinct=True))
            .values("cases")
        )
        return (
            _accredited(CredentialKind.PRACTITIONER, today)
            .annotate(seen=Coalesce(Subquery(seen), Value(0)))
            .filter(seen__lt=needed)
            .select_related("holder")
        )

    def build(self, rows, today):
        return [
            Due(
                person=credential.holder,
                period_key=str(today.year),
                missing=f"You have not logged a DIT patient in {today.year}; maintaining DIT practitioner status "
                f"asks for one each year, checked in January.",
                fix_url=reverse("supervision:ledger"),
                context={"year": today.year, "seen": credential.seen},
            )
            for credential in rows
        ]


class FirstYearSupervisionShort(Rule):
    """In the last 60 days of a practitioner's first year (D7: 365 days from accreditation),
    formal confirmed supervision x 12 is below the DIT therapy hours (D8), counting only
    sessions with a supervisor accredited on the session's date: the yearly check's own sums
    and rule (`accreditation.maintenance.first_year_hours`, `ratio_short`)."""

    kind = "first_year_supervision_short"
    label = "First year: supervision below 1 hour for every 12 hours of therapy"

    def candidates(self, today):
        limits = thresholds.current()
        first_year = datetime.timedelta(days=limits.whole("maintenance_first_year_days"))
        # The first year ends on accredited_on + 364 days; remind in its last 60 days.
        since = today - first_year + datetime.timedelta(days=1)
        until = today - first_year + datetime.timedelta(days=DAYS_BEFORE_YEAR_END + 1)
        ratio = limits["maintenance_therapy_hours_per_supervision_hour"]
        return (
            _accredited(CredentialKind.PRACTITIONER, today)
            .filter(accredited_on__gte=since, accredited_on__lte=until)
            .annotate(**first_year_hours(OuterRef("holder"), OuterRef("accredited_on"), today, as_of=today))
            .filter(ratio_short(ratio))
            .select_related("holder")
        )

    def build(self, rows, today):
        ratio = thresholds.current()["maintenance_therapy_hours_per_supervision_hour"]
        days = thresholds.current().whole("maintenance_first_year_days")
        reminders = []
        for credential in rows:
            ends = credential.accredited_on + datetime.timedelta(days=days - 1)
            needed = (credential.therapy / ratio).quantize(Decimal("0.01"))
            reminders.append(
                Due(
                    person=credential.holder,
                    period_key=f"first-year-{credential.accredited_on.isoformat()}",
                    missing=f"Your first year as a DIT practitioner ends on {_day(ends)}: you have "
                    f"{credential.supervision.normalize():f} h of formal DIT supervision for "
                    f"{credential.therapy.normalize():f} h of DIT therapy; 1:{ratio.normalize():f} asks for at "
                    f"least {needed.normalize():f} h.",
                    fix_url=reverse("supervision:ledger"),
                    context={"ends": ends},
                )
            )
        return reminders


class TrainerCpdEventMissing(Rule):
    """From 1 November: an AFC trainer with no yearly CPD event this year (D1), by the one
    rule the yearly check reads (`accreditation.maintenance.cpd_event_attended`)."""

    kind = "trainer_cpd_event_missing"
    label = "Trainers: no yearly CPD event attended this year"

    def candidates(self, today):
        if not _near_year_end(today):
            return HeldCredential.objects.none()
        start = datetime.date(today.year, 1, 1)
        return (
            _accredited(CredentialKind.TRAINER, today)
            .exclude(cpd_event_attended(start, today, person_ref=OuterRef("holder")))
            .select_related("holder")
        )

    def build(self, rows, today):
        return [
            Due(
                person=credential.holder,
                period_key=str(today.year),
                missing=f"No CPD event for trainers and supervisors is recorded for you in {today.year}; AFC "
                f"trainers attend one each year (a CPD Day, for instance).",
                fix_url=reverse("trainings:run_list"),
                context={"year": today.year, "cpd_url": reverse("supervision:cpd_add")},
            )
            for credential in rows
        ]


class MaintenanceFailedCoordinators(Rule):
    """30 days after a person was warned that their maintenance check failed, and it still
    fails: every coordinator is told (the check never revokes anything by itself)."""

    kind = "maintenance_failed_coordinators"
    audience = COORDINATORS
    label = "Coordinators: a maintenance check still failing 30 days after the warning"

    def candidates(self, today):
        cutoff = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=DAYS_BEFORE_COORDINATORS - 1), datetime.time())
        )
        return MaintenanceResult.objects.filter(passed=False, warned_at__lt=cutoff).select_related("person")

    def build(self, rows, today):
        coordinators = list(User.objects.filter(groups__name=COORDINATOR, is_active=True).order_by("pk"))
        reminders = []
        for result in rows:
            missing = [item.get("missing") or item.get("label") for item in result.items if not item.get("met")]
            missing = [text for text in missing if text]
            for coordinator in coordinators:
                reminders.append(
                    Due(
                        person=coordinator,
                        period_key=f"maintenance-{result.person_id}-{result.year}",
                        missing=f"{result.person}'s maintenance check for {result.year} still fails, 30 days after "
                        f"they were warned: {' '.join(missing) or 'see the result'}",
                        fix_url=reverse("admin:accreditation_maintenanceresult_change", args=[result.pk]),
                        context={"subject_person": result.person, "year": result.year},
                    )
                )
        return reminders
