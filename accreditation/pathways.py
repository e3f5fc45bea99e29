"""The requirements engine: for a person, a credential and a date, a checklist of items,
each met or not, with the evidence that meets it and what is still missing.

    checklist(person, credential_kind, as_of=None, route=None) -> Checklist

Pages, the "ready to accredit" queue, granting and tests all read this; nothing else
decides whether a requirement is met. Every number comes from the thresholds table
(`accreditation.thresholds`). Only what happened on or before `as_of` counts: sessions
confirmed by then, recordings rated by then, decisions made by then.

Routes (DOMAIN.md "Accreditation pathways", D4-D6, D9-D12):
- DIT Practitioner via the 5-Day training, or via the 20-Day programme (D6); the route is
  the one the person trained on (the 20-day one if they completed it and not the 5-day).
- DIT Supervisor (D11); AFC Trainer, UK route, in date order (D9, D10); Complex Care (D12).
Supervision counts only when the named supervisor confirmed it and held DIT Supervisor as
accredited on the session's date (D5, D15).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Min
from django.utils import timezone

from dit_portal.text import lower_in_sentence
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, PersonProfile
from members.services import all_credential_timelines, status_in_timeline
from supervision import selectors as ledger
from supervision.enums import CasePurpose, RecordingPhase, RecordingRating, SessionStatus, SupervisionKind
from supervision.models import Case, Recording, SupervisionSession
from trainings.enums import (
    ATTENDING_STATES,
    PRACTITIONER_TRAINING_ROLES,
    EnrolmentStatus,
    PathwayRole,
    RunStatus,
    TrainerRole,
)
from trainings.models import Enrolment, RunDay, TrainerDay

from . import thresholds
from .enums import CaseStudyStatus, LetterWriter, PracticeRoute, RolePlayOutcome
from .models import CaseStudySubmission, RolePlayResult, SupportLetter

# Courses are found by their role in the pathways (Course.pathway_role), never by slug.
ROUTE_COURSE = {PracticeRoute.FIVE_DAY: PathwayRole.FIVE_DAY, PracticeRoute.TWENTY_DAY: PathwayRole.TWENTY_DAY}
DELIVERY_ROLES = (TrainerRole.SUPPORT, TrainerRole.LEAD)


@dataclass
class Item:
    key: str
    label: str
    met: bool
    evidence: str = ""
    missing: str = ""
    required: bool = True
    deadline: datetime.date | None = None
    met_on: datetime.date | None = None

    def as_dict(self):
        return {
            "key": self.key,
            "label": self.label,
            "met": self.met,
            "evidence": self.evidence,
            "missing": self.missing,
            "required": self.required,
        }


@dataclass
class Checklist:
    person: object
    kind: str
    as_of: datetime.date
    items: list = field(default_factory=list)
    route: str = ""
    credential: HeldCredential | None = None

    @property
    def all_met(self):
        required = [item for item in self.items if item.required]
        return bool(required) and all(item.met for item in required)

    @property
    def met_count(self):
        return sum(1 for item in self.items if item.met and item.required)

    @property
    def total(self):
        return sum(1 for item in self.items if item.required)

    @property
    def percent(self):
        return round(100 * self.met_count / self.total) if self.total else 0

    @property
    def next_step(self):
        return next((item for item in self.items if item.required and not item.met), None)

    @property
    def label(self):
        label = CredentialKind(self.kind).label
        return f"{label} {PracticeRoute(self.route).label}" if self.route else label

    @property
    def held(self):
        return self.credential is not None and self.credential.status == CredentialStatus.ACCREDITED


def _number(value):
    value = Decimal(value)
    return f"{value.normalize():f}" if value != value.to_integral() else f"{int(value)}"


def _day(value):
    return f"{value:%-d %B %Y}"


def _plural(count, word, plural=None):
    return f"{_number(count)} {word if count == 1 else (plural or word + 's')}"


# The rows the engine reads -------------------------------------------------------------


def _local(moment):
    return timezone.localdate(moment) if moment is not None else None


class Records:
    """The rows the engine reads for a group of people (one person on My pathway, a page of
    the "ready to accredit" queue), each table read once for the whole group when first
    needed, so a checklist costs the same whatever a person's history and however many
    people are evaluated together. The rules below filter these rows by date in Python;
    `records.of(person)` is one person's view."""

    def __init__(self, people):
        self.people = {person.pk: person for person in people}
        self._tables = {}
        self._timelines = {}
        self._holders_seen = set(self.people)
        self._supervisees = {}
        self._run_days = None
        self._limits = None

    def of(self, person):
        if person.pk not in self.people:
            raise KeyError(f"{person} is not among the people these records were read for.")
        return PersonRecords(self, person)

    @property
    def limits(self):
        if self._limits is None:
            self._limits = thresholds.current()
        return self._limits

    def rows(self, name, person_id):
        if name not in self._tables:
            grouped = {pk: [] for pk in self.people}
            for owner_id, row in LOADERS[name](list(self.people)):
                grouped[owner_id].append(row)
                for holder_field in HOLDER_FIELDS.get(name, ()):
                    if getattr(row, holder_field) is not None:
                        self._holders_seen.add(getattr(row, holder_field))
            self._tables[name] = grouped
        return self._tables[name][person_id]

    def timeline(self, holder_id, kind):
        """The credential history of `holder_id` (a person of the group or anyone their rows
        name: supervisors, raters); read for everyone named so far in one query."""
        if holder_id not in self._timelines:
            wanted = (self._holders_seen | {holder_id}) - set(self._timelines)
            self._timelines.update(all_credential_timelines(wanted))
        return self._timelines[holder_id].get(kind)

    def supervisees(self, person_id, as_of):
        if as_of not in self._supervisees:
            self._supervisees[as_of] = ledger.supervisee_totals(list(self.people), as_of=as_of)
        return self._supervisees[as_of][person_id]

    def run_days(self, run_id):
        """How many days a run of the group's trainer days has."""
        if self._run_days is None:
            runs = {day.run_trainer.run_id for pk in self.people for day in self.rows("trainer_days", pk)}
            self._run_days = dict(
                RunDay.objects.filter(run__in=runs).order_by().values_list("run").annotate(n=Count("pk"))
            )
        return self._run_days.get(run_id, 0)


class PersonRecords:
    """One person's rows, read through the group's `Records`."""

    def __init__(self, records, person):
        self.records = records
        self.person = person
        self.pk = person.pk

    def __getattr__(self, name):
        if name in LOADERS:
            return self.records.rows(name, self.pk)
        raise AttributeError(name)

    @property
    def limits(self):
        return self.records.limits

    @property
    def profile(self):
        found = self.records.rows("profiles", self.pk)
        return found[0] if found else None

    def credential(self, kind):
        return next((credential for credential in self.credentials if credential.kind == kind), None)

    def timeline(self, kind, holder_id=None):
        return self.records.timeline(self.pk if holder_id is None else holder_id, kind)

    def cases_for(self, purpose):
        return [case for case in self.cases if case.purpose == purpose]

    def cases_discussed(self, session_id):
        return {case_id for owner_session, case_id in self.session_cases if owner_session == session_id}


def _records(person, records=None):
    if isinstance(person, PersonRecords):
        return person
    return (records or Records([person])).of(person)


LOADERS = {
    "credentials": lambda ids: (
        (c.holder_id, c) for c in HeldCredential.objects.filter(holder_id__in=ids).order_by("kind", "pk")
    ),
    "enrolments": lambda ids: (
        (e.trainee_id, e)
        for e in Enrolment.objects.filter(trainee_id__in=ids)
        .annotate(starts_on=Min("run__days__date"), ends_on=Max("run__days__date"))
        .select_related("run__course")
        .order_by("pk")
    ),
    "role_plays": lambda ids: (
        (r.person_id, r) for r in RolePlayResult.objects.filter(person_id__in=ids).order_by("person_id", "attempt")
    ),
    "case_studies": lambda ids: (
        (c.person_id, c) for c in CaseStudySubmission.objects.filter(person_id__in=ids).order_by("person_id", "number")
    ),
    "letters": lambda ids: (
        (letter.person_id, letter)
        for letter in SupportLetter.objects.filter(person_id__in=ids).order_by("person_id", "writer", "pk")
    ),
    "profiles": lambda ids: ((p.person_id, p) for p in PersonProfile.objects.filter(person_id__in=ids)),
    "cases": lambda ids: (
        (c.practitioner_id, c) for c in Case.objects.filter(practitioner_id__in=ids).order_by("started_on", "pk")
    ),
    "sessions": lambda ids: (
        (s.practitioner_id, s)
        for s in SupervisionSession.objects.filter(practitioner_id__in=ids, status=SessionStatus.CONFIRMED).order_by(
            "date", "pk"
        )
    ),
    "session_cases": lambda ids: (
        (row.owner_id, (row.supervisionsession_id, row.case_id))
        for row in SupervisionSession.cases.through.objects.filter(
            supervisionsession__practitioner_id__in=ids,
            supervisionsession__status=SessionStatus.CONFIRMED,
        ).annotate(owner_id=F("supervisionsession__practitioner_id"))
    ),
    "recordings": lambda ids: (
        (r.case.practitioner_id, r)
        for r in Recording.objects.filter(rating=RecordingRating.PASS, case__practitioner_id__in=ids)
        .select_related("case")
        .order_by("session_date", "pk")
    ),
    "trainer_days": lambda ids: (
        (day.run_trainer.trainer_id, day)
        for day in TrainerDay.objects.filter(
            run_trainer__trainer_id__in=ids,
            run_trainer__run__run_by_centre=True,
            run_trainer__run__course__pathway_role__in=PRACTITIONER_TRAINING_ROLES,
        )
        .exclude(run_trainer__run__status=RunStatus.CANCELLED)
        .select_related("day", "run_trainer__run__course")
        .order_by("day__date", "pk")
    ),
}
# Rows that name other people whose credential history the rules read.
HOLDER_FIELDS = {
    "cases": ("supervisor_id", "close_supervision_confirmed_by_id"),
    "sessions": ("supervisor_id",),
    "recordings": ("rated_by_id",),
}


# Reads shared by the routes ------------------------------------------------------------


def _roles(course_role):
    return (course_role,) if isinstance(course_role, str) else tuple(course_role)


def completed_runs(rec, course_role, as_of, *, started_after=None):
    """The person's completed enrolments on runs with `course_role` (a PathwayRole or a tuple),
    not cancelled, that ended and whose completion was recorded by `as_of` (D21, D25), first
    ended first; with `started_after`, only runs that began after that day (D24). Each
    carries the run's `starts_on` and `ends_on`."""
    roles = _roles(course_role)
    found = [
        enrolment
        for enrolment in rec.enrolments
        if enrolment.status == EnrolmentStatus.COMPLETED
        and enrolment.run.status != RunStatus.CANCELLED
        and enrolment.run.course.pathway_role in roles
        and enrolment.ends_on is not None
        and enrolment.ends_on <= as_of
        and (enrolment.ended_at is None or _local(enrolment.ended_at) <= as_of)
        and (started_after is None or (enrolment.starts_on is not None and enrolment.starts_on > started_after))
    ]
    return sorted(found, key=lambda enrolment: (enrolment.ends_on, enrolment.pk))


def completed_run(rec, course_role, as_of, *, started_after=None):
    """The first of `completed_runs`, or None."""
    return next(iter(completed_runs(rec, course_role, as_of, started_after=started_after)), None)


def places_held(rec, course_role, as_of):
    """The person's enrolments on courses with `course_role` that held a place on `as_of`:
    accepted by then, and not ended by then without completing (D25)."""
    roles = _roles(course_role)
    return [
        enrolment
        for enrolment in rec.enrolments
        if enrolment.run.course.pathway_role in roles
        and enrolment.status in ATTENDING_STATES
        and enrolment.run.status != RunStatus.CANCELLED
        and (enrolment.decided_at is None or _local(enrolment.decided_at) <= as_of)
        and not (
            enrolment.status == EnrolmentStatus.NOT_COMPLETED
            and enrolment.ended_at is not None
            and _local(enrolment.ended_at) <= as_of
        )
    ]


def counted_sessions(rec, *, as_of, since=None, until=None, formal=True):
    """Sessions dated from `since` to `until` (default `as_of`), confirmed by `as_of`, whose
    supervisor was an accredited DIT supervisor on the session's date (D5, D15)."""
    until = until or as_of
    kind = None if formal is None else (SupervisionKind.FORMAL if formal else SupervisionKind.PEER)
    return [
        session
        for session in rec.sessions
        if (since is None or session.date >= since)
        and session.date <= until
        and (kind is None or session.kind == kind)
        and (session.decided_at is None or _local(session.decided_at) <= as_of)
        and status_in_timeline(rec.timeline(CredentialKind.SUPERVISOR, session.supervisor_id), session.date)
        == CredentialStatus.ACCREDITED
    ]


def _passed_by(recordings, as_of):
    return [r for r in recordings if r.rated_at is None or timezone.localdate(r.rated_at) <= as_of]


def _accredited_during(timeline, start, end):
    """Whether a credential was accredited on at least one day from `start` to `end`."""
    if status_in_timeline(timeline, start) == CredentialStatus.ACCREDITED:
        return True
    return any(
        start < effective_on <= end and status == CredentialStatus.ACCREDITED for effective_on, status in timeline or ()
    )


def approved_cases(rec, cases, as_of):
    """D23: the cases, begun by `as_of`, whose named supervisor was an accredited DIT
    supervisor while the case ran (up to `as_of`)."""
    return [
        case
        for case in cases
        if case.started_on <= as_of
        and case.supervisor_id
        and _accredited_during(
            rec.timeline(CredentialKind.SUPERVISOR, case.supervisor_id),
            case.started_on,
            min(case.ended_on or as_of, as_of),
        )
    ]


def approved_recordings(rec, cases, as_of):
    """D4, D23: the recordings of `cases` rated pass by `as_of` by the case's named
    supervisor, who was an accredited DIT supervisor on the day of the rating."""
    supervisor_of = {case.pk: case.supervisor_id for case in cases}
    recordings = [
        recording
        for recording in _passed_by([r for r in rec.recordings if r.case_id in supervisor_of], as_of)
        if recording.rated_by_id is not None and recording.rated_by_id == supervisor_of[recording.case_id]
    ]
    return [
        recording
        for recording in recordings
        if status_in_timeline(
            rec.timeline(CredentialKind.SUPERVISOR, recording.rated_by_id),
            timezone.localdate(recording.rated_at) if recording.rated_at else recording.session_date,
        )
        == CredentialStatus.ACCREDITED
    ]


def sessions_on_cases(rec, sessions, cases):
    """D23: the sessions that discussed at least one of `cases`, given by that case's named
    supervisor."""
    supervisor_of = {case.pk: case.supervisor_id for case in cases}
    discussed = {}
    for session_id, case_id in rec.session_cases:
        if case_id in supervisor_of:
            discussed.setdefault(session_id, set()).add(supervisor_of[case_id])
    return [session for session in sessions if session.supervisor_id in discussed.get(session.pk, ())]


def _accredited_since(timeline, as_of):
    """The date from which a credential has been accredited without a break up to `as_of`,
    or None if it is not accredited on `as_of`."""
    since = None
    for effective_on, status in timeline or ():
        if effective_on > as_of:
            break
        since = (since or effective_on) if status == CredentialStatus.ACCREDITED else None
    return since


def _held_item(rec, kind, as_of, key="practitioner"):
    label = f"Accredited {CredentialKind(kind).label}"
    since = _accredited_since(rec.timeline(kind), as_of)
    if since:
        return Item(key, label, True, evidence=f"{CredentialKind(kind).label} since {_day(since)}", met_on=since)
    return Item(key, label, False, missing=f"Hold {CredentialKind(kind).label} as an accredited credential.")


def _completed_item(rec, course_role, key, label, as_of, *, started_after=None):
    enrolment = completed_run(rec, course_role, as_of, started_after=started_after)
    if enrolment:
        return Item(
            key,
            label,
            True,
            evidence=f"Completed {enrolment.run} (ended {_day(enrolment.ends_on)})",
            met_on=enrolment.ends_on,
        )
    attending = [
        enrolment
        for enrolment in places_held(rec, course_role, as_of)
        if not (
            enrolment.status == EnrolmentStatus.COMPLETED
            and enrolment.ended_at is not None
            and _local(enrolment.ended_at) <= as_of
        )
        and (started_after is None or (enrolment.ends_on is not None and enrolment.ends_on > started_after))
    ]
    if attending:
        missing = "Complete the training (your attendance is recorded by the coordinators)."
    elif started_after is not None:
        missing = f"Attend the whole training again (the role-play was not passed on {_day(started_after)})."
    else:
        missing = "Attend the whole training."
    return Item(key, label, False, missing=missing)


# Role-play (D16, D24) ---------------------------------------------------------------------


def role_play_results(rec, as_of):
    """The person's role-play attempts assessed by `as_of`, first first; a voided result (a
    coordinator's correction) neither counts nor blocks."""
    return [r for r in rec.role_plays if r.voided_at is None and r.assessed_on <= as_of]


def role_play_failed_on(results, as_of):
    """The day of the person's last failed role-play by `as_of` (D24), or None: a fail's
    assessment day, or an unmet referral's retake deadline (from the day after it the
    referral counts as a fail). The training must be attended again after that day."""
    failed = None
    for index, result in enumerate(results):
        following = results[index + 1].assessed_on if index + 1 < len(results) else None
        if result.outcome == RolePlayOutcome.FAIL:
            failed = result.assessed_on
        elif result.outcome == RolePlayOutcome.REFER and result.retake_by and (following or as_of) > result.retake_by:
            failed = result.retake_by
    return failed


def role_play_refusal(person, assessed_on):
    """Why a role-play attempt assessed on `assessed_on` cannot be recorded for `person`
    (a message), or None (D24): it needs the whole training attended (completed by that
    day); after a fail, or a referral whose retake deadline passed, the training attended
    again (a complete run begun after it)."""
    rec = _records(person)
    results = role_play_results(rec, assessed_on)
    latest = results[-1] if results else None
    if latest and latest.outcome == RolePlayOutcome.REFER and latest.retake_by and assessed_on > latest.retake_by:
        failed_on = latest.retake_by
    else:
        failed_on = role_play_failed_on(results, assessed_on)
    if completed_run(rec, PRACTITIONER_TRAINING_ROLES, assessed_on, started_after=failed_on):
        return None
    if failed_on is None:
        return (
            f"{person} has no completed 5-day or 20-day training recorded by {_day(assessed_on)}: the role-play is "
            "taken at the end of the whole training (record the completion first)."
        )
    if latest.outcome == RolePlayOutcome.REFER and failed_on == latest.retake_by:
        reason = (
            f"the retake deadline of attempt {latest.attempt} ({_day(failed_on)}) has passed, so it counts as a fail"
        )
    else:
        reason = f"the role-play was failed on {_day(failed_on)}"
    return f"{reason}; {person} must attend the whole training again before another role-play is recorded."


def _counted_pass(rec, results):
    """The first pass that counts: one not preceded by a fail, or taken after the training
    was attended again (D24)."""
    for index, result in enumerate(results):
        if result.outcome != RolePlayOutcome.PASS:
            continue
        failed = role_play_failed_on(results[:index], result.assessed_on)
        if failed is None or completed_run(rec, PRACTITIONER_TRAINING_ROLES, result.assessed_on, started_after=failed):
            return result
    return None


def _no_role_play_yet(rec, as_of):
    """What to do when no role-play result is recorded: the text depends on whether the
    training is still ahead, or ended without a result recorded."""
    ended = completed_runs(rec, PRACTITIONER_TRAINING_ROLES, as_of)
    if ended:
        last = max(ended, key=lambda enrolment: enrolment.ends_on)
        return (
            f"No role-play result is recorded since your training ended on {_day(last.ends_on)}: "
            "if you took the role-play, ask the coordinators to record its result; if not, ask them when "
            "you can take it."
        )
    return "The role-play is filmed at the end of the training; its result appears here once assessed."


def role_play_item(person, as_of, results=None):
    rec = _records(person)
    label = "Role-play passed"
    results = role_play_results(rec, as_of) if results is None else results
    passed = _counted_pass(rec, results)
    if passed:
        return Item(
            "role_play",
            label,
            True,
            evidence=f"Passed on {_day(passed.assessed_on)} (attempt {passed.attempt})",
            met_on=passed.assessed_on,
        )
    if not results:
        return Item("role_play", label, False, missing=_no_role_play_yet(rec, as_of))
    latest = results[-1]
    failed = role_play_failed_on(results, as_of)
    if failed is None and latest.outcome == RolePlayOutcome.REFER:
        deadline = latest.retake_by
        return Item(
            "role_play",
            label,
            False,
            evidence=f"Referred on {_day(latest.assessed_on)}",
            missing=f"Retake the role-play{f' by {_day(deadline)}' if deadline else ''}.",
            deadline=deadline,
        )
    if latest.outcome == RolePlayOutcome.REFER and failed == latest.retake_by:
        evidence = f"Referred on {_day(latest.assessed_on)}; not retaken by {_day(failed)}"
    else:
        evidence = f"Not passed on {_day(latest.assessed_on)}"
    if failed is not None and completed_run(rec, PRACTITIONER_TRAINING_ROLES, as_of, started_after=failed):
        missing = "Take the role-play again: you have attended the training again."
    else:
        missing = "Attend the training again, then take the role-play again."
    return Item("role_play", label, False, evidence=evidence, missing=missing)


def case_study_item(rec, as_of):
    label = "Case study passed"
    submissions = [
        submission for submission in rec.case_studies if timezone.localdate(submission.submitted_at) <= as_of
    ]
    decided = [s for s in submissions if s.decided_at and timezone.localdate(s.decided_at) <= as_of]
    passed = next((s for s in decided if s.status == CaseStudyStatus.PASSED), None)
    if passed:
        day = timezone.localdate(passed.decided_at)
        return Item(
            "case_study", label, True, evidence=f"Passed on {_day(day)} (submission {passed.number})", met_on=day
        )
    current = submissions[-1] if submissions else None
    if current is None:
        return Item("case_study", label, False, missing="Upload your case study.")
    if current.status == CaseStudyStatus.SUBMITTED or current not in decided:
        return Item(
            "case_study",
            label,
            False,
            evidence=f"Submission {current.number} uploaded",
            missing="Awaiting review by an assessor.",
        )
    if current.status == CaseStudyStatus.REFERRED:
        limit = rec.limits.whole("case_study_max_resubmissions")
        if current.number > limit:
            return Item(
                "case_study",
                label,
                False,
                evidence="Referred",
                missing="No resubmissions left; please contact the coordinators.",
            )
        return Item(
            "case_study",
            label,
            False,
            evidence=f"Submission {current.number} referred",
            missing=f"Resubmit your case study{f' by {_day(current.resubmit_by)}' if current.resubmit_by else ''}.",
            deadline=current.resubmit_by,
        )
    return Item(
        "case_study",
        label,
        False,
        evidence=f"Submission {current.number} not passed",
        missing="Please contact the coordinators.",
    )


def _supervision_item(rec, as_of, *, hours_needed, recordings_needed, cases_needed, since):
    """D5, D23: confirmed formal hours that discussed the counted cases with their named
    supervisor, cases run with an approved DIT supervisor, recordings that supervisor rated."""
    cases = approved_cases(rec, rec.cases_for(CasePurpose.PRACTITIONER_TRAINING), as_of)
    concurrent = ledger.most_concurrent(cases, today=as_of) if cases else []
    counted = concurrent if cases_needed > 0 else cases
    sessions = sessions_on_cases(rec, counted_sessions(rec, as_of=as_of, since=since), counted)
    hours = sum((s.hours for s in sessions), Decimal("0"))
    passed = len(approved_recordings(rec, counted, as_of))
    evidence = (
        f"{_number(hours)} of {_number(hours_needed)} confirmed hours on {_plural(len(concurrent), 'concurrent case')}; "
        f"{passed} of {_number(recordings_needed)} recordings passed"
    )
    missing = []
    if hours < hours_needed:
        missing.append(f"{_number(hours_needed - hours)} more confirmed hours of supervision")
    if len(concurrent) < cases_needed:
        missing.append(f"{_number(cases_needed)} concurrent cases with an approved DIT supervisor")
    if passed < recordings_needed:
        missing.append(f"{_number(recordings_needed - passed)} more recordings rated pass by the case's supervisor")
    met = not missing
    return Item(
        "supervision",
        "Supervision",
        met,
        evidence=evidence,
        missing=("Needed: " + "; ".join(missing) + ".") if missing else "",
    )


# Routes -------------------------------------------------------------------------------


def _practitioner_training(rec, route, as_of, label):
    """The training item of a practitioner route, and the run it counts: the first complete
    run, or after a failed role-play the first complete run begun after it (D24)."""
    failed = role_play_failed_on(role_play_results(rec, as_of), as_of)
    item = _completed_item(rec, ROUTE_COURSE[route], "training", label, as_of, started_after=failed)
    run = completed_run(rec, ROUTE_COURSE[route], as_of, started_after=failed) if item.met else None
    return item, run


def _five_day(rec, as_of, limits):
    attended, enrolment = _practitioner_training(
        rec, PracticeRoute.FIVE_DAY, as_of, "Attended the whole 5-Day DIT Training"
    )
    return [
        attended,
        role_play_item(rec, as_of),
        _supervision_item(
            rec,
            as_of,
            hours_needed=limits["five_day_supervision_hours"],
            recordings_needed=limits["five_day_passed_recordings"],
            cases_needed=limits["five_day_concurrent_cases"],
            since=enrolment.starts_on if enrolment else None,
        ),
        case_study_item(rec, as_of),
    ]


def _twenty_day(rec, as_of, limits):
    training, _enrolment = _practitioner_training(
        rec, PracticeRoute.TWENTY_DAY, as_of, "Completed the 20-Day DIT Programme"
    )
    items = [training, role_play_item(rec, as_of)]
    needed = limits["twenty_day_closely_supervised_cases"]
    cases = [
        c
        for c in rec.cases_for(CasePurpose.PRACTITIONER_TRAINING)
        if c.close_supervision_confirmed_at is not None
        and timezone.localdate(c.close_supervision_confirmed_at) <= as_of
    ]
    counted = [
        c
        for c in cases
        if status_in_timeline(
            rec.timeline(CredentialKind.SUPERVISOR, c.close_supervision_confirmed_by_id),
            timezone.localdate(c.close_supervision_confirmed_at),
        )
        == CredentialStatus.ACCREDITED
    ]
    items.append(
        Item(
            "closely_supervised_cases",
            "Cases closely supervised to the end",
            len(counted) >= needed,
            evidence=f"{len(counted)} of {_number(needed)} cases confirmed by an accredited DIT supervisor",
            missing=""
            if len(counted) >= needed
            else f"{_number(needed - len(counted))} more cases confirmed by your supervisor as closely supervised to the end.",
        )
    )
    hours_needed = limits["twenty_day_supervision_hours"]
    recordings_needed = limits["twenty_day_passed_recordings"]
    if hours_needed > 0 or recordings_needed > 0:
        items.append(
            _supervision_item(
                rec,
                as_of,
                hours_needed=hours_needed,
                recordings_needed=recordings_needed,
                cases_needed=0,
                since=None,
            )
        )
    return items


def supervisor_prerequisites(person, as_of, limits=None):
    """The supervisor route's prerequisites (D11, D20): DIT cases since the practitioner
    accreditation date, verified general supervision experience, both letters of support.
    Supervisor training's entry rule reads the same items."""
    rec = _records(person)
    limits = limits or rec.limits
    items = []
    credential = rec.credential(CredentialKind.PRACTITIONER)
    needed = limits["supervisor_cases_since_accreditation"]
    if credential and credential.accredited_on and credential.accredited_on <= as_of:
        count = sum(1 for case in rec.cases if credential.accredited_on <= case.started_on <= as_of)
        items.append(
            Item(
                "dit_cases",
                "DIT cases since practitioner accreditation",
                count >= needed,
                evidence=f"{count} of {_number(needed)} cases logged since {_day(credential.accredited_on)}",
                missing="" if count >= needed else f"Log {_number(needed - count)} more DIT cases.",
            )
        )
    else:
        items.append(
            Item(
                "dit_cases",
                "DIT cases since practitioner accreditation",
                False,
                missing="First become an accredited DIT practitioner.",
            )
        )
    years_needed = limits["supervisor_experience_years"]
    profile = rec.profile
    years = profile.supervision_years if profile and profile.supervision_years is not None else None
    verified = bool(
        profile and profile.supervision_verified and timezone.localdate(profile.supervision_verified_at) <= as_of
    )
    if years is None:
        missing = "Declare your years of general supervision experience, with evidence, on your profile."
    elif years < years_needed:
        missing = f"At least {_number(years_needed)} years of general supervision experience are needed."
    elif not profile.supervision_evidence:
        missing = "Upload evidence of your supervision experience on your profile."
    elif not verified:
        missing = "Awaiting a coordinator's verification of your supervision experience."
    else:
        missing = ""
    items.append(
        Item(
            "supervision_experience",
            "General supervision experience (verified)",
            not missing,
            evidence=f"{_number(years)} years declared{', verified' if verified else ''}" if years is not None else "",
            missing=missing,
        )
    )
    letters = {letter.writer: letter for letter in rec.letters if timezone.localdate(letter.uploaded_at) <= as_of}
    absent = [LetterWriter(writer).label for writer in LetterWriter.values if writer not in letters]
    items.append(
        Item(
            "letters",
            "Two letters of support",
            not absent,
            evidence=", ".join(
                f"{letter.writer_name} ({lower_in_sentence(letter.get_writer_display())})"
                for letter in letters.values()
            ),
            missing=("Upload a letter from: " + lower_in_sentence("; ".join(absent)) + ".") if absent else "",
        )
    )
    return items


def supervisor_training_refusal(person, on):
    """Why `person` does not meet supervisor training's prerequisites on `on` (D20), or None."""
    unmet = [item for item in supervisor_prerequisites(person, on) if not item.met]
    if not unmet:
        return None
    return "the portal does not record the supervisor route's prerequisites for you: " + " ".join(
        f"{item.label}: {item.missing}" for item in unmet
    )


def _supervisor(rec, as_of, limits):
    items = [_held_item(rec, CredentialKind.PRACTITIONER, as_of)]
    items += supervisor_prerequisites(rec, as_of, limits)
    cases = approved_cases(rec, rec.cases_for(CasePurpose.SUPERVISOR_TRAINING), as_of)
    phases = {r.phase for r in approved_recordings(rec, cases, as_of)}
    cases_needed = limits["supervisor_training_cases"]
    in_person_needed = limits["supervisor_cases_seen_in_person"]
    in_person = sum(1 for c in cases if c.seen_in_person)
    missing = []
    if len(cases) < cases_needed:
        missing.append(f"{_number(cases_needed - len(cases))} more training cases with an approved DIT supervisor")
    absent_phases = [RecordingPhase(p).label.lower() for p in RecordingPhase.values if p not in phases]
    if absent_phases:
        missing.append("a recording rated pass in the " + ", ".join(absent_phases))
    if in_person < in_person_needed:
        missing.append("a case seen in person")
    items.append(
        Item(
            "supervisor_training_cases",
            "Further supervised cases with rated recordings",
            not missing,
            evidence=f"{len(cases)} of {_number(cases_needed)} cases; phases passed: "
            + (", ".join(RecordingPhase(p).label.lower() for p in RecordingPhase.values if p in phases) or "none")
            + f"; {in_person} seen in person",
            missing=("Needed: " + "; ".join(missing) + ".") if missing else "",
        )
    )
    supervisees = [in_training for hours, in_training in rec.records.supervisees(rec.pk, as_of).values() if hours > 0]
    in_training = sum(1 for training in supervisees if training)
    needed_people = limits["supervisor_supervisees"]
    needed_training = limits["supervisor_supervisees_in_training"]
    missing = []
    if len(supervisees) < needed_people:
        missing.append(f"{_number(needed_people - len(supervisees))} more supervisees with confirmed supervision")
    if in_training < needed_training:
        missing.append("a supervisee training to be a DIT practitioner")
    items.append(
        Item(
            "supervisees",
            "Close supervision of supervisees",
            not missing,
            evidence=f"{len(supervisees)} of {_number(needed_people)} supervisees, {in_training} in training",
            missing=("Needed: " + "; ".join(missing) + ".") if missing else "",
        )
    )
    return items


def _trainer_days(rec, since, as_of, roles):
    """Counted trainer days: runs the Centre ran, not cancelled, from `since` (None: any
    day) to `as_of` (the rows are read with those conditions, `LOADERS["trainer_days"]`)."""
    return [
        trainer_day
        for trainer_day in rec.trainer_days
        if trainer_day.role in roles
        and trainer_day.day.date <= as_of
        and (since is None or trainer_day.day.date >= since)
    ]


def _trainer_step(rec, days, twenty_day_needed):
    """When the step was met (None if not) and its evidence, from counted days: all days
    of one 5-day run, or `twenty_day_needed` days summed over 20-day runs (D9)."""
    by_run = {}
    for trainer_day in days:
        by_run.setdefault(trainer_day.run_trainer.run, []).append(trainer_day.day.date)
    candidates, five_day_best = [], None
    for run, dates in by_run.items():
        if run.course.pathway_role != PathwayRole.FIVE_DAY:
            continue
        if len(set(dates)) == rec.records.run_days(run.pk):
            candidates.append((max(dates), f"all {len(dates)} days of {run}"))
        elif five_day_best is None or len(dates) > five_day_best[1]:
            five_day_best = (run, len(dates), rec.records.run_days(run.pk))
    twenty = sorted(
        trainer_day.day.date
        for trainer_day in days
        if trainer_day.run_trainer.run.course.pathway_role == PathwayRole.TWENTY_DAY
    )
    needed = int(twenty_day_needed)
    if needed and len(twenty) >= needed:
        candidates.append((twenty[needed - 1], f"{len(twenty)} days of 20-day runs"))
    if candidates:
        met_on, evidence = min(candidates)
        return met_on, evidence, ""
    progress = f"{len(twenty)} of {needed} days of 20-day runs"
    if five_day_best:
        run, count, total = five_day_best
        progress += f"; {count} of {total} days of {run}"
    return None, progress, progress


def centre_shadowing(person, *, as_of=None, since=None, limits=None):
    """D9 trainer step 2, the one place it is written: (met on, evidence, progress) for the
    days `person` shadowed at the Centre from `since` to `as_of` (default today): all days
    of one 5-day run, or the configured number of days summed over 20-day runs. The trainer
    checklist (from the day step 1 was met) and providers' criterion 2 (any day) read it."""
    as_of = as_of or timezone.localdate()
    rec = _records(person)
    limits = limits or rec.limits
    return _trainer_step(
        rec, _trainer_days(rec, since, as_of, (TrainerRole.SHADOWING,)), limits["trainer_twenty_day_shadow_days"]
    )


def _trainer(rec, as_of, limits):
    practice_since = _accredited_since(rec.timeline(CredentialKind.PRACTITIONER), as_of)
    supervision_since = _accredited_since(rec.timeline(CredentialKind.SUPERVISOR), as_of)
    step1 = max(practice_since, supervision_since) if practice_since and supervision_since else None
    items = [
        Item(
            "practitioner_and_supervisor",
            "1. Accredited DIT Practitioner and Supervisor",
            step1 is not None,
            evidence=f"Both accredited since {_day(step1)}" if step1 else "",
            missing="" if step1 else "Hold both DIT Practitioner and DIT Supervisor as accredited credentials.",
            met_on=step1,
        )
    ]
    step2 = None
    if step1:
        step2, evidence, progress = centre_shadowing(rec, as_of=as_of, since=step1, limits=limits)
        missing = (
            "" if step2 else f"Shadow a whole 5-day run at the Centre, or enough days of 20-day runs ({progress})."
        )
        items.append(
            Item(
                "shadowing",
                "2. Shadowed a training run at the Centre",
                step2 is not None,
                evidence=f"Shadowed {evidence}" if step2 else "",
                missing=missing,
                met_on=step2,
            )
        )
    else:
        items.append(
            Item("shadowing", "2. Shadowed a training run at the Centre", False, missing="Counts from step 1.")
        )
    step3 = None
    if step2:
        step3, evidence, progress = _trainer_step(
            rec, _trainer_days(rec, step2, as_of, DELIVERY_ROLES), limits["trainer_twenty_day_delivery_days"]
        )
        missing = (
            ""
            if step3
            else f"Deliver a whole 5-day run at the Centre as support trainer, or enough days of 20-day runs ({progress})."
        )
        items.append(
            Item(
                "delivery",
                "3. Delivered a training run at the Centre as support trainer",
                step3 is not None,
                evidence=f"Delivered {evidence}" if step3 else "",
                missing=missing,
                met_on=step3,
            )
        )
    else:
        items.append(
            Item(
                "delivery",
                "3. Delivered a training run at the Centre as support trainer",
                False,
                missing="Counts from step 2.",
            )
        )
    return items


def _complex_care(rec, as_of, limits):
    return [
        _held_item(rec, CredentialKind.PRACTITIONER, as_of),
        _completed_item(rec, PathwayRole.COMPLEX_CARE, "training", "Completed DIT for Complex Care", as_of),
    ]


def practice_route(person, as_of=None):
    """The practitioner route the person is on on `as_of`: the 20-day one if they held a
    place on the 20-day programme and none on the 5-day training by then, otherwise the
    5-day one."""
    as_of = as_of or timezone.localdate()
    held = places_held(_records(person), PRACTITIONER_TRAINING_ROLES, as_of)
    roles = {enrolment.run.course.pathway_role for enrolment in held}
    if PathwayRole.TWENTY_DAY in roles and PathwayRole.FIVE_DAY not in roles:
        return PracticeRoute.TWENTY_DAY
    return PracticeRoute.FIVE_DAY


def checklist(person, credential_kind, as_of=None, route=None, *, records=None):
    """What `person` has met, and still needs, for `credential_kind` on `as_of` (default today).
    With `records` (a `Records` read for a group of people including `person`), the rows are
    read once for the group: My pathway's four checklists, or a page of the queue."""
    as_of = as_of or timezone.localdate()
    rec = _records(person, records)
    limits = rec.limits
    result = Checklist(person=person, kind=credential_kind, as_of=as_of, credential=rec.credential(credential_kind))
    if credential_kind == CredentialKind.PRACTITIONER:
        result.route = route or practice_route(rec, as_of)
        builder = _twenty_day if result.route == PracticeRoute.TWENTY_DAY else _five_day
    else:
        builder = {
            CredentialKind.SUPERVISOR: _supervisor,
            CredentialKind.TRAINER: _trainer,
            CredentialKind.COMPLEX_CARE: _complex_care,
        }[credential_kind]
    result.items = builder(rec, as_of, limits)
    return result
