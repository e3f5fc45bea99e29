""" "As of" means as of (DOMAIN.md D25), as a property: for a generated history and a
generated day d, the answers of `checklist`, `eligibility` and `maintenance.check` as of d
equal the answers, as of d, for a copy of the history with every fact dated after d
deleted (a decision taken after d undone, a session confirmed after d left pending, a
completion recorded after d not recorded, a credential change after d not made).

Each example builds the history twice, for two fresh people with their own supervisor:
once whole, once cut at d. Run with the form fuzzing's Hypothesis profiles
(tests/fuzz/conftest.py: "ci" by default, derandomized; HYPOTHESIS_PROFILE=thorough for more).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accreditation import maintenance
from accreditation.enums import CaseStudyStatus, RolePlayOutcome
from accreditation.models import CaseStudySubmission, RolePlayResult
from accreditation.pathways import checklist
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from supervision.enums import CasePurpose, RecordingPhase, RecordingRating, SessionStatus, SupervisionKind
from supervision.models import Case, Recording, SupervisionSession, TherapyHours
from tests.factories import UserFactory
from tests.files import PDF_BYTES
from tests.fuzz import conftest as hypothesis_profiles  # noqa: F401  (loads the profiles)
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.eligibility import eligibility
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course

pytestmark = pytest.mark.django_db

SPAN = 720  # days of history, ending a few days ago
START = timezone.localdate() - datetime.timedelta(days=SPAN + 5)


def day(offset):
    return START + datetime.timedelta(days=offset)


def moment(offset):
    return timezone.make_aware(datetime.datetime.combine(day(offset), datetime.time(12)))


offsets = st.integers(min_value=0, max_value=SPAN)


@dataclass
class History:
    """Facts as day offsets from START; `None` where a fact did not happen."""

    supervisor_from: int
    supervisor_lapsed: int | None
    practitioner_from: int | None
    run_start: int
    completion_recorded: int | None  # None: still on the register
    role_plays: list = field(default_factory=list)  # (day, outcome, retake days)
    cases: list = field(default_factory=list)  # (start, length or None, approved supervisor?)
    sessions: list = field(default_factory=list)  # (day, confirmed after days or None, hours, case index)
    recordings: list = field(default_factory=list)  # (case index, rated day)
    therapy: list = field(default_factory=list)  # (case index, day, hours)
    case_studies: list = field(default_factory=list)  # (submitted, decided after days or None, status)


@st.composite
def histories(draw):
    run_start = draw(st.integers(min_value=0, max_value=SPAN - 10))
    role_plays, last = [], run_start + 4
    for _ in range(draw(st.integers(0, 3))):
        last = draw(st.integers(min_value=last, max_value=min(SPAN, last + 200)))
        outcome = draw(st.sampled_from(RolePlayOutcome.values))
        role_plays.append((last, outcome, draw(st.integers(10, 120))))
    cases = [
        (
            draw(st.integers(0, SPAN // 2)),
            draw(st.one_of(st.none(), st.integers(20, 300))),
            draw(st.sampled_from([True, True, True, False])),  # mostly an approved supervisor
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    case_count = len(cases)
    case_index = st.integers(0, case_count - 1) if case_count else st.just(None)
    submissions, last = [], draw(offsets)
    for _ in range(draw(st.integers(0, 3))):
        decided_after = draw(st.one_of(st.none(), st.integers(0, 60)))
        status = draw(st.sampled_from([CaseStudyStatus.PASSED, CaseStudyStatus.REFERRED, CaseStudyStatus.FAILED]))
        submissions.append((last, decided_after, status))
        if decided_after is None or status != CaseStudyStatus.REFERRED:
            break
        last = min(SPAN, last + decided_after + draw(st.integers(1, 60)))
    return History(
        supervisor_from=draw(st.integers(0, SPAN // 4)),
        supervisor_lapsed=draw(st.one_of(st.none(), offsets)),
        practitioner_from=draw(st.one_of(st.none(), offsets)),
        run_start=run_start,
        completion_recorded=draw(st.one_of(st.none(), st.integers(run_start + 4, SPAN))),
        role_plays=role_plays,
        cases=cases,
        sessions=[
            (draw(offsets), draw(st.one_of(st.none(), st.integers(0, 120))), draw(st.integers(1, 3)), draw(case_index))
            for _ in range(draw(st.integers(0, 12)))
        ],
        recordings=[(draw(case_index), draw(offsets)) for _ in range(draw(st.integers(0, 5)) if case_count else 0)],
        therapy=[(draw(case_index), draw(offsets), draw(st.integers(1, 20))) for _ in range(draw(st.integers(0, 6)))]
        if case_count
        else [],
        case_studies=submissions,
    )


def build(history, cut=None):
    """The history's rows for a fresh person; with `cut`, only the facts dated on or before it."""

    def known(offset):
        return offset is not None and (cut is None or offset <= cut)

    person, sup, other = UserFactory(), UserFactory(), UserFactory()
    if known(history.supervisor_from):
        set_credential_status(
            sup, CredentialKind.SUPERVISOR, CredentialStatus.ACCREDITED, effective_on=day(history.supervisor_from)
        )
        if known(history.supervisor_lapsed) and history.supervisor_lapsed > history.supervisor_from:
            set_credential_status(
                sup, CredentialKind.SUPERVISOR, CredentialStatus.LAPSED, effective_on=day(history.supervisor_lapsed)
            )
    if known(history.practitioner_from):
        set_credential_status(
            person,
            CredentialKind.PRACTITIONER,
            CredentialStatus.ACCREDITED,
            effective_on=day(history.practitioner_from),
        )

    run = make_run(
        course=Course.objects.get(slug="5-day-dit-training"),
        dates=[day(history.run_start + offset) for offset in range(5)],
        status=RunStatus.CLOSED,
        label="Time-travel cohort",
    )
    recorded = known(history.completion_recorded)
    accepted_on = max(history.run_start - 10, 0)
    if known(accepted_on):
        EnrolmentFactory(
            run=run,
            trainee=person,
            status=EnrolmentStatus.COMPLETED if recorded else EnrolmentStatus.ACCEPTED,
            decided_at=moment(accepted_on),
            ended_at=moment(history.completion_recorded) if recorded else None,
        )

    attempt = 0
    for offset, outcome, retake_days in history.role_plays:
        if known(offset):
            attempt += 1
            RolePlayResult.objects.create(
                person=person,
                attempt=attempt,
                outcome=outcome,
                assessed_on=day(offset),
                retake_by=day(offset + retake_days) if outcome == RolePlayOutcome.REFER else None,
            )

    cases = []
    for index, (start, length, approved) in enumerate(history.cases):
        if not known(start):
            cases.append(None)
            continue
        ended = start + length if length is not None else None
        cases.append(
            Case.objects.create(
                practitioner=person,
                supervisor=sup if approved else other,
                code=f"TT-{index}",
                purpose=CasePurpose.PRACTITIONER_TRAINING,
                started_on=day(start),
                ended_on=day(ended) if known(ended) else None,
            )
        )
    for offset, confirmed_after, hours, index in history.sessions:
        if not known(offset):
            continue
        confirmed = confirmed_after is not None and known(offset + confirmed_after)
        made = SupervisionSession.objects.create(
            practitioner=person,
            supervisor=sup,
            date=day(offset),
            hours=Decimal(hours),
            kind=SupervisionKind.FORMAL,
            status=SessionStatus.CONFIRMED if confirmed else SessionStatus.PENDING,
            decided_at=moment(offset + confirmed_after) if confirmed else None,
            decided_by=sup if confirmed else None,
        )
        if index is not None and cases[index] is not None:
            made.cases.set([cases[index]])
    for index, rated in history.recordings:
        if cases[index] is None:
            continue
        rated_known = known(rated)
        Recording.objects.create(
            case=cases[index],
            phase=RecordingPhase.MIDDLE,
            session_date=cases[index].started_on,
            rating=RecordingRating.PASS if rated_known else RecordingRating.AWAITING,
            rated_at=moment(rated) if rated_known else None,
            rated_by=cases[index].supervisor if rated_known else None,
        )
    for index, offset, hours in history.therapy:
        start, length, _approved = history.cases[index]
        during = start <= offset and (length is None or offset <= start + length)
        if cases[index] is not None and known(offset) and during:
            TherapyHours.objects.create(case=cases[index], date=day(offset), hours=Decimal(hours))
    for number, (submitted, decided_after, status) in enumerate(history.case_studies, start=1):
        if not known(submitted):
            continue
        decided = decided_after is not None and known(submitted + decided_after)
        submission = CaseStudySubmission(
            person=person,
            number=number,
            file_name="study.pdf",
            status=status if decided else CaseStudyStatus.SUBMITTED,
            decided_at=moment(submitted + decided_after) if decided else None,
            resubmit_by=day(submitted + decided_after + 90) if decided and status == CaseStudyStatus.REFERRED else None,
        )
        submission.file.save("study.pdf", ContentFile(PDF_BYTES), save=False)
        submission.save()
        CaseStudySubmission.objects.filter(pk=submission.pk).update(submitted_at=moment(submitted))
    return person


def answers(person, on):
    courses = Course.objects.filter(slug__in=["dit-refresher", "cpd-day", "dit-for-complex-care"]).order_by("slug")
    result = checklist(person, CredentialKind.PRACTITIONER, as_of=on)
    yearly = maintenance.check(person, on.year, today=on)
    return {
        "route": result.route,
        "checklist": [entry.as_dict() for entry in result.items],
        "eligibility": {
            course.slug: [str(failure) for failure in eligibility(person, course, on=on)] for course in courses
        },
        "maintenance": (yearly.applies, [entry.as_dict() for entry in yearly.items]),
    }


# One history written out: every kind of fact straddles the cut (a session confirmed, a
# recording rated, a case study decided, a completion recorded after it).
STRADDLING = History(
    supervisor_from=0,
    supervisor_lapsed=None,
    practitioner_from=100,
    run_start=10,
    completion_recorded=140,
    role_plays=[(14, RolePlayOutcome.PASS, 30)],
    cases=[(50, None, True), (60, 200, True)],
    sessions=[(100, 30, 2, 0), (105, 0, 1, 1), (108, None, 1, 0)],
    recordings=[(0, 120), (1, 100)],
    therapy=[(0, 101, 5), (1, 111, 3)],
    case_studies=[(90, 30, CaseStudyStatus.REFERRED), (125, 10, CaseStudyStatus.PASSED)],
)


@settings(max_examples=max(50, settings().max_examples))
@given(history=histories(), cut=offsets)
@example(history=STRADDLING, cut=110)
def test_an_answer_as_of_a_day_equals_the_answer_without_the_facts_dated_after_it(history, cut):
    on = day(cut)
    whole = answers(build(history), on)
    assert whole == answers(build(history, cut=cut), on)
