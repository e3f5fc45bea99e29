"""The ledger's rules, each at its edges, and the decisions on sessions, recordings and cases."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from dit_portal.models import AuditEntry
from members import roles
from members.enums import CredentialStatus
from supervision import selectors, services
from supervision.enums import (
    CasePurpose,
    RecordingPhase,
    RecordingRating,
    SessionFormat,
    SessionStatus,
    SupervisionKind,
)
from supervision.models import Case, CpdRecord, SupervisionSession, TherapyHours
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus
from trainings.models import Attendance, Course

from .factories import CaseFactory, SessionFactory, days_ago, make_supervisor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def log(practitioner, supervisor, **overrides):
    values = {
        "supervisor": supervisor,
        "date": days_ago(3),
        "hours": Decimal("1.5"),
        "format": SessionFormat.INDIVIDUAL,
        "kind": SupervisionKind.FORMAL,
    }
    values.update(overrides)
    return services.log_session(practitioner, **values)


# Logging a session: hours, dates, training ------------------------------------------


@pytest.mark.parametrize("hours", ["0.01", "1", "8", "8.00"])
def test_hours_within_a_day_are_accepted(practitioner, supervisor, hours):
    session = log(practitioner, supervisor, hours=Decimal(hours))
    assert session.hours == Decimal(hours)
    assert session.status == SessionStatus.PENDING


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "Hours must be more than 0."),
        ("-1", "Hours must be more than 0."),
        ("8.01", "A session cannot be longer than 8 hours."),
        ("12", "A session cannot be longer than 8 hours."),
    ],
)
def test_hours_out_of_bounds_are_refused_and_nothing_saved(practitioner, supervisor, hours, message):
    with pytest.raises(services.SupervisionError) as refused:
        log(practitioner, supervisor, hours=Decimal(hours))
    assert refused.value.errors == {"hours": [message]}
    assert not SupervisionSession.objects.exists()
    assert not mail.outbox


def test_a_session_today_is_accepted_and_tomorrow_refused(practitioner, supervisor):
    log(practitioner, supervisor, date=TODAY())
    with pytest.raises(services.SupervisionError, match="This session is in the future"):
        log(practitioner, supervisor, date=TODAY() + datetime.timedelta(days=1))
    assert SupervisionSession.objects.count() == 1


def _practitioner_training(person, first_day, status=EnrolmentStatus.COMPLETED):
    course = Course.objects.get(slug="5-day-dit-training")
    run = make_run(course=course, dates=[first_day + datetime.timedelta(days=offset) for offset in range(5)])
    return EnrolmentFactory(run=run, trainee=person, status=status)


def test_a_session_the_day_before_training_began_is_refused(practitioner, supervisor):
    first_day = days_ago(100)
    _practitioner_training(practitioner, first_day)
    assert selectors.training_start(practitioner) == first_day
    with pytest.raises(services.SupervisionError) as refused:
        log(practitioner, supervisor, date=first_day - datetime.timedelta(days=1))
    assert refused.value.errors["date"] == [
        f"This session is before your DIT training began ({first_day:%-d %B %Y}); "
        "only supervision from the start of your training can be logged."
    ]
    assert log(practitioner, supervisor, date=first_day).date == first_day


def test_training_is_the_first_completed_or_attended_practitioner_run(practitioner):
    assert selectors.training_start(practitioner) is None
    # Applied but never attended: not training yet.
    _practitioner_training(practitioner, days_ago(300), status=EnrolmentStatus.ACCEPTED)
    # A course that does not lead to the practitioner credential does not count.
    make_run(course=Course.objects.get(slug="cpd-day"), dates=[days_ago(400)])
    assert selectors.training_start(practitioner) is None
    # Attending a day of a 20-day run does (the programme runs over months).
    enrolment = _practitioner_training(practitioner, days_ago(200), status=EnrolmentStatus.ACCEPTED)
    enrolment.run.course = Course.objects.get(slug="20-day-dit-programme")
    enrolment.run.save()
    Attendance.objects.create(enrolment=enrolment, day=enrolment.run.days.first(), present=True)
    assert selectors.training_start(practitioner) == days_ago(200)
    _practitioner_training(practitioner, days_ago(250))
    assert selectors.training_start(practitioner) == days_ago(250)


def test_a_session_needs_a_supervisor_who_is_not_the_practitioner(practitioner, supervisor):
    with pytest.raises(services.SupervisionError, match="cannot name yourself"):
        log(practitioner, practitioner)
    stranger = UserFactory(full_name="Nora Nobody")
    with pytest.raises(services.SupervisionError, match="Nora Nobody is not a DIT supervisor"):
        log(practitioner, stranger)
    # The Supervisor role, or a supervisor credential in training, is enough to be named.
    assert log(practitioner, UserFactory(role=roles.SUPERVISOR))
    assert log(practitioner, make_supervisor(CredentialStatus.IN_PROGRESS))
    with pytest.raises(services.SupervisionError, match="is not a DIT supervisor"):
        log(practitioner, make_supervisor(CredentialStatus.REVOKED))


def test_a_session_names_only_the_practitioners_own_cases(practitioner, supervisor):
    mine = CaseFactory(practitioner=practitioner)
    theirs = CaseFactory()
    with pytest.raises(services.SupervisionError, match="only your own cases"):
        log(practitioner, supervisor, cases=[mine, theirs])
    session = log(practitioner, supervisor, cases=[mine])
    assert list(session.cases.all()) == [mine]


def test_a_session_note_naming_a_patient_is_refused(practitioner, supervisor):
    with pytest.raises(services.SupervisionError, match="person's name"):
        log(practitioner, supervisor, note="Talked about John Smith")
    with pytest.raises(services.SupervisionError, match="NHS number"):
        log(practitioner, supervisor, note="re 943 476 5919")
    assert not SupervisionSession.objects.exists()


def test_logging_a_session_emails_the_supervisor_and_audits(
    practitioner, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = log(practitioner, supervisor, hours=Decimal("1.5"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert "Please confirm a supervision session: Priya Practitioner" in message.subject
    assert "1.5 hours" in message.body
    assert "/supervision/supervising/" in message.body
    assert message.alternatives[0][1] == "text/html"
    entry = AuditEntry.objects.get(action="supervision.session.logged")
    assert entry.object_id == str(session.pk)
    assert entry.actor == practitioner


# Deciding a session -------------------------------------------------------------------


def test_the_named_supervisor_confirms_and_the_practitioner_is_told(
    practitioner, supervisor, django_capture_on_commit_callbacks
):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_session(session, by=supervisor)
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    assert session.decided_by == supervisor
    assert session.decided_at is not None
    assert [message.to for message in mail.outbox] == [["priya@example.org"]]
    assert "Supervision confirmed" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="supervision.session.confirmed", actor=supervisor).count() == 1


def test_a_dispute_needs_a_reason_and_tells_the_practitioner(
    practitioner, supervisor, django_capture_on_commit_callbacks
):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    with pytest.raises(services.SupervisionError, match="Say why"):
        services.dispute_session(session, by=supervisor, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_session(session, by=supervisor, reason="We did not meet that week.")
    session.refresh_from_db()
    assert session.status == SessionStatus.DISPUTED
    assert session.dispute_reason == "We did not meet that week."
    assert "Supervision disputed" in mail.outbox[0].subject
    assert "We did not meet that week." in mail.outbox[0].body


def test_only_the_named_supervisor_decides(practitioner, supervisor, other_supervisor):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    for someone in (other_supervisor, practitioner):
        with pytest.raises(services.SupervisionError, match="Only the supervisor named"):
            services.confirm_session(session, by=someone)
    session.refresh_from_db()
    assert session.status == SessionStatus.PENDING


def test_a_coordinator_may_decide_for_the_supervisor(practitioner, supervisor):
    coordinator = UserFactory(role=roles.COORDINATOR)
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    with pytest.raises(services.SupervisionError, match="say why"):
        services.confirm_session(session, by=coordinator)
    assert SupervisionSession.objects.get().status == SessionStatus.PENDING
    services.confirm_session(session, by=coordinator, on_behalf_reason="Supervisor on leave, confirmed by letter")
    decided = SupervisionSession.objects.get()
    assert decided.decided_by == coordinator and decided.decided_on_behalf
    assert decided.on_behalf_reason == "Supervisor on leave, confirmed by letter"


def test_the_supervisor_deciding_needs_no_reason_and_is_not_on_behalf(practitioner, supervisor):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    services.confirm_session(session, by=supervisor)
    decided = SupervisionSession.objects.get()
    assert not decided.decided_on_behalf and decided.on_behalf_reason == ""


@pytest.mark.parametrize("first", ["confirm", "dispute"])
def test_a_decision_cannot_be_made_twice(practitioner, supervisor, first):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    decide = {
        "confirm": lambda: services.confirm_session(session, by=supervisor),
        "dispute": lambda: services.dispute_session(session, by=supervisor, reason="Not as logged."),
    }
    decide[first]()
    for second in decide.values():
        with pytest.raises(services.SupervisionError, match="already been .*; the decision cannot be changed"):
            second()
    assert AuditEntry.objects.filter(action__startswith="supervision.session.").count() == 1


# What counts: the selectors the engine reads -----------------------------------------------


def test_only_confirmed_sessions_are_returned(practitioner, supervisor):
    confirmed = SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.CONFIRMED)
    SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.PENDING)
    SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.DISPUTED)
    SessionFactory(supervisor=supervisor, status=SessionStatus.CONFIRMED)  # someone else's
    assert list(selectors.confirmed_sessions(practitioner)) == [confirmed]
    assert selectors.confirmed_hours(practitioner) == Decimal("1.00")
    row = selectors.confirmed_sessions(practitioner)[0]
    assert (row.supervisor_id, row.date) == (supervisor.pk, confirmed.date)


def test_confirmed_sessions_by_dates_and_kind(practitioner, supervisor):
    def confirmed(days, kind=SupervisionKind.FORMAL, hours="1"):
        return SessionFactory(
            practitioner=practitioner,
            supervisor=supervisor,
            date=days_ago(days),
            kind=kind,
            hours=Decimal(hours),
            status=SessionStatus.CONFIRMED,
        )

    old, edge, peer = confirmed(30), confirmed(20, hours="2"), confirmed(10, SupervisionKind.PEER, hours="4")
    assert list(selectors.confirmed_sessions(practitioner, since=days_ago(20))) == [edge, peer]
    assert list(selectors.confirmed_sessions(practitioner, until=days_ago(20))) == [old, edge]
    assert list(selectors.confirmed_sessions(practitioner, formal=True)) == [old, edge]
    assert list(selectors.confirmed_sessions(practitioner, formal=False)) == [peer]
    assert selectors.confirmed_hours(practitioner, formal=True) == Decimal("3")
    assert selectors.confirmed_hours(practitioner, since=days_ago(5)) == Decimal("0")


def test_therapy_hours_and_cases_seen_between_dates(practitioner):
    case = CaseFactory(practitioner=practitioner, started_on=days_ago(400))
    other = CaseFactory(practitioner=practitioner, started_on=days_ago(400))
    TherapyHours.objects.create(case=case, date=days_ago(370), hours=Decimal("1"))
    TherapyHours.objects.create(case=case, date=days_ago(5), hours=Decimal("1.25"))
    TherapyHours.objects.create(case=other, date=days_ago(380), hours=Decimal("2"))
    assert selectors.therapy_hours(practitioner) == Decimal("4.25")
    assert selectors.therapy_hours(practitioner, days_ago(370), TODAY()) == Decimal("2.25")
    assert list(selectors.cases_seen(practitioner, days_ago(100), TODAY())) == [case]
    assert set(selectors.cases_seen(practitioner, days_ago(400), days_ago(370))) == {case, other}


def test_most_concurrent_cases(practitioner):
    first = CaseFactory(practitioner=practitioner, started_on=days_ago(100), ended_on=days_ago(50))
    second = CaseFactory(practitioner=practitioner, started_on=days_ago(50))  # overlaps first on one day
    third = CaseFactory(practitioner=practitioner, started_on=days_ago(30), ended_on=days_ago(20))
    alone = CaseFactory(practitioner=practitioner, started_on=days_ago(200), ended_on=days_ago(150))
    assert selectors.most_concurrent([alone]) == [alone]
    assert len(selectors.most_concurrent([first, second, third, alone])) == 2
    assert not first.overlaps(third)
    assert first.overlaps(second)
    assert selectors.most_concurrent([first, third, alone]) in ([first], [third], [alone])


def test_cases_by_purpose_and_closely_supervised(practitioner, supervisor):
    training = CaseFactory(practitioner=practitioner, supervisor=supervisor, ended_on=days_ago(1))
    ordinary = CaseFactory(practitioner=practitioner, purpose=CasePurpose.ORDINARY, supervisor=None)
    assert list(selectors.cases(practitioner, purpose=CasePurpose.ORDINARY)) == [ordinary]
    assert set(selectors.cases(practitioner)) == {training, ordinary}
    assert not selectors.closely_supervised_cases(practitioner).exists()
    services.confirm_close_supervision(training, by=supervisor)
    assert list(selectors.closely_supervised_cases(practitioner)) == [training]


def test_supervisees_and_who_is_in_training(supervisor, other_supervisor):
    trainee = UserFactory(full_name="Alex Trainee")
    colleague = UserFactory(full_name="Bea Colleague")
    CaseFactory(practitioner=trainee, supervisor=supervisor, purpose=CasePurpose.PRACTITIONER_TRAINING)
    SessionFactory(practitioner=colleague, supervisor=supervisor, status=SessionStatus.CONFIRMED, hours=Decimal("2"))
    SessionFactory(practitioner=colleague, supervisor=supervisor)
    SessionFactory(practitioner=UserFactory(), supervisor=other_supervisor)
    people = {person.full_name: person for person in selectors.supervisees(supervisor)}
    assert set(people) == {"Alex Trainee", "Bea Colleague"}
    assert people["Alex Trainee"].in_training and not people["Bea Colleague"].in_training
    assert people["Bea Colleague"].confirmed_hours == Decimal("2")
    assert people["Bea Colleague"].pending == 1


# Cases, hours, recordings, CPD -------------------------------------------------------------


def test_case_codes_are_unique_per_practitioner(practitioner, supervisor):
    values = {"purpose": CasePurpose.PRACTITIONER_TRAINING, "started_on": days_ago(10), "supervisor": supervisor}
    services.log_case(practitioner, code="C-01", **values)
    with pytest.raises(services.SupervisionError, match="already have a case with the code c-01"):
        services.log_case(practitioner, code="c-01", **values)
    services.log_case(UserFactory(), code="C-01", **values)
    assert Case.objects.filter(code="C-01").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "Jane Smith"}, "code", "person's name"),
        ({"code": "943 476 5919"}, "code", "NHS number"),
        ({"supervisor": None}, "supervisor", "training case needs its DIT supervisor"),
        ({"started_on": days_ago(-1)}, "started_on", "in the future"),
        ({"ended_on": days_ago(11)}, "ended_on", "cannot be before the first"),
        ({"note": "Mrs Brown's son"}, "note", "person's name"),
    ],
)
def test_a_case_is_refused_with_a_message(practitioner, supervisor, overrides, field, message):
    values = {
        "code": "C-02",
        "purpose": CasePurpose.PRACTITIONER_TRAINING,
        "started_on": days_ago(10),
        "supervisor": supervisor,
    }
    values.update(overrides)
    with pytest.raises(services.SupervisionError) as refused:
        services.log_case(practitioner, **values)
    assert message in " ".join(refused.value.errors[field])
    assert not Case.objects.exists()


def test_therapy_hours_within_the_case_and_the_day(practitioner):
    case = CaseFactory(practitioner=practitioner, started_on=days_ago(10), ended_on=days_ago(2))
    services.log_therapy_hours(case, date=days_ago(10), hours=Decimal("8"), by=practitioner)
    for date, hours, message in [
        (days_ago(11), "1", "before the case's first session"),
        (days_ago(1), "1", "after the case's last session"),
        (days_ago(5), "0", "more than 0"),
        (days_ago(5), "8.01", "cannot be longer than 8 hours"),
    ]:
        with pytest.raises(services.SupervisionError, match=message):
            services.log_therapy_hours(case, date=date, hours=Decimal(hours), by=practitioner)
    with pytest.raises(services.SupervisionError, match="Only the practitioner"):
        services.log_therapy_hours(case, date=days_ago(5), hours=Decimal("1"), by=UserFactory())
    assert TherapyHours.objects.count() == 1


def test_recordings_rated_by_the_case_supervisor_a_later_pass_replaces_not_yet(practitioner, supervisor):
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor)
    recording = services.log_recording(case, phase=RecordingPhase.MIDDLE, session_date=days_ago(5), by=practitioner)
    with pytest.raises(services.SupervisionError, match="Only the case's supervisor"):
        services.rate_recording(recording, rating=RecordingRating.PASS, by=make_supervisor())
    services.rate_recording(recording, rating=RecordingRating.NOT_YET, by=supervisor, feedback="More focus.")
    assert not selectors.passed_recordings(case).exists()
    with pytest.raises(services.SupervisionError, match="rated not yet; it cannot be rated not yet"):
        services.rate_recording(recording, rating=RecordingRating.NOT_YET, by=supervisor)
    services.rate_recording(recording, rating=RecordingRating.PASS, by=supervisor)
    assert list(selectors.passed_recordings(case)) == [recording]
    assert list(selectors.passed_recordings([case])) == [recording]
    with pytest.raises(services.SupervisionError, match="rated pass; it cannot be rated not yet"):
        services.rate_recording(recording, rating=RecordingRating.NOT_YET, by=supervisor)


def test_a_recording_needs_the_case_to_name_a_supervisor(practitioner):
    case = CaseFactory(practitioner=practitioner, supervisor=None, purpose=CasePurpose.ORDINARY)
    with pytest.raises(services.SupervisionError, match="Name the case's supervisor"):
        services.log_recording(case, phase=RecordingPhase.INITIAL, session_date=days_ago(5), by=practitioner)


def test_close_supervision_confirmed_once_by_the_case_supervisor_after_its_end(practitioner, supervisor):
    case = CaseFactory(practitioner=practitioner, supervisor=supervisor)
    with pytest.raises(services.SupervisionError, match="still open"):
        services.confirm_close_supervision(case, by=supervisor)
    services.end_case(case, ended_on=days_ago(1), by=practitioner)
    with pytest.raises(services.SupervisionError, match="Only the case's supervisor"):
        services.confirm_close_supervision(case, by=practitioner)
    services.confirm_close_supervision(case, by=supervisor)
    with pytest.raises(services.SupervisionError, match="already been confirmed"):
        services.confirm_close_supervision(case, by=supervisor)
    with pytest.raises(services.SupervisionError, match="cannot change"):
        services.end_case(case, ended_on=days_ago(2), by=practitioner)
    case.refresh_from_db()
    assert case.close_supervision_confirmed_by == supervisor


def test_cpd_records_any_hours_above_zero(practitioner):
    this_year, last_year = datetime.date(TODAY().year, 1, 1), datetime.date(TODAY().year - 1, 6, 1)
    record = services.log_cpd(
        practitioner, title="Network meeting", kind="network_meeting", date=this_year, hours=Decimal("0.5")
    )
    services.log_cpd(practitioner, title="CPD Day", kind="cpd_day", date=last_year, hours=Decimal("6"))
    assert list(selectors.cpd_records(practitioner, this_year.year)) == [record]
    assert [r.title for r in selectors.cpd_records(practitioner)] == ["CPD Day", "Network meeting"]
    with pytest.raises(services.SupervisionError, match="more than 0"):
        services.log_cpd(practitioner, title="Reading", kind="other", date=days_ago(3), hours=Decimal("0"))
    with pytest.raises(services.SupervisionError, match="in the future"):
        services.log_cpd(practitioner, title="Reading", kind="other", date=days_ago(-1), hours=Decimal("1"))
    assert CpdRecord.objects.count() == 2


def test_the_dispute_email_escapes_the_reason_in_html(practitioner, supervisor, django_capture_on_commit_callbacks):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_session(session, by=supervisor, reason="Logged <b>twice</b> & wrong date")
    message = mail.outbox[0]
    assert "Logged <b>twice</b> & wrong date" in message.body  # the text part as written
    html = message.alternatives[0][0]
    assert "Logged &lt;b&gt;twice&lt;/b&gt; &amp; wrong date" in html


def test_the_practitioner_withdraws_a_pending_session_only(practitioner, supervisor):
    session = SessionFactory(practitioner=practitioner, supervisor=supervisor)
    with pytest.raises(services.SupervisionError, match="Only the practitioner who logged"):
        services.withdraw_session(session, by=supervisor)
    services.withdraw_session(session, by=practitioner)
    session.refresh_from_db()
    assert (session.status, session.decided_by) == (SessionStatus.WITHDRAWN, practitioner)
    assert not selectors.confirmed_sessions(practitioner).exists()
    with pytest.raises(services.SupervisionError, match="the decision cannot be changed"):
        services.confirm_session(session, by=supervisor)
    confirmed = SessionFactory(practitioner=practitioner, supervisor=supervisor, status=SessionStatus.CONFIRMED)
    with pytest.raises(services.SupervisionError, match="cannot be withdrawn: it is confirmed"):
        services.withdraw_session(confirmed, by=practitioner)
