"""The reminders read from the accreditation rules and the supervision ledger, at their edges."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accreditation.enums import CaseStudyStatus, RolePlayOutcome
from accreditation.models import MaintenanceResult
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from reminders import services
from reminders.models import Reminder
from reminders.rules import (
    CaseStudyResubmissionDue,
    FirstYearSupervisionShort,
    MaintenanceFailedCoordinators,
    NoPatientThisYear,
    RolePlayRetakeDue,
    TrainerCpdEventMissing,
)
from supervision.enums import CpdKind, SessionStatus, SupervisionKind
from supervision.models import CpdRecord, SupervisionSession, TherapyHours
from tests.accreditation.helpers import LONG_AGO, accredit, case, case_study, completed, role_play, supervisor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOV_1 = datetime.date(TODAY.year, 11, 1)
OCT_31 = datetime.date(TODAY.year, 10, 31)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def sweep(rule, today=TODAY):
        mail.outbox = []
        with django_capture_on_commit_callbacks(execute=True):
            services.send_due_reminders(rules=[rule], today=today)
        return sorted(address for message in mail.outbox for address in message.to)

    return sweep


def in_days(days, today=TODAY):
    return today + datetime.timedelta(days=days)


# Role-play retake and case-study resubmission: due within 14 days --------------------


@pytest.mark.parametrize(("due_in", "reminded"), [(-1, False), (0, True), (14, True), (15, False)])
def test_role_play_retake_due_within_fourteen_days(sweep, due_in, reminded):
    person = UserFactory()
    role_play(person, RolePlayOutcome.REFER, retake_by=in_days(due_in))
    assert sweep(RolePlayRetakeDue()) == ([person.email] if reminded else [])


def test_role_play_retake_message_names_the_deadline_and_the_pathway(sweep):
    person = UserFactory()
    role_play(person, RolePlayOutcome.REFER, retake_by=in_days(10))
    sweep(RolePlayRetakeDue())
    [message] = mail.outbox
    assert f"{in_days(10):%-d %B %Y}" in message.subject
    assert "/pathway/" in message.body


def test_a_role_play_already_retaken_is_not_reminded(sweep):
    person = UserFactory()
    role_play(person, RolePlayOutcome.REFER, retake_by=in_days(10))
    role_play(person, RolePlayOutcome.PASS, attempt=2)
    assert sweep(RolePlayRetakeDue()) == []


@pytest.mark.parametrize(("due_in", "reminded"), [(-1, False), (0, True), (14, True), (15, False)])
def test_case_study_resubmission_due_within_fourteen_days(sweep, due_in, reminded):
    person = UserFactory()
    submission = case_study(person, CaseStudyStatus.REFERRED)
    submission.resubmit_by = in_days(due_in)
    submission.save(update_fields=["resubmit_by"])
    assert sweep(CaseStudyResubmissionDue()) == ([person.email] if reminded else [])


def test_a_case_study_already_resubmitted_is_not_reminded(sweep):
    person = UserFactory()
    submission = case_study(person, CaseStudyStatus.REFERRED)
    submission.resubmit_by = in_days(5)
    submission.save(update_fields=["resubmit_by"])
    case_study(person, CaseStudyStatus.SUBMITTED, number=2)
    assert sweep(CaseStudyResubmissionDue()) == []


# No DIT patient this year: from 1 November ------------------------------------------


def practitioner(on=LONG_AGO, **kwargs):
    person = UserFactory(**kwargs)
    accredit(person, CredentialKind.PRACTITIONER, on)
    return person


def log_therapy(person, on, hours="1"):
    TherapyHours.objects.create(case=case(person, supervisor()), date=on, hours=Decimal(hours))


@pytest.mark.parametrize(("today", "reminded"), [(OCT_31, False), (NOV_1, True)])
def test_no_patient_reminder_starts_sixty_days_before_the_year_ends(sweep, today, reminded):
    person = practitioner()
    log_therapy(person, datetime.date(today.year - 1, 6, 1))  # last year's patient does not count
    assert sweep(NoPatientThisYear(), today) == ([person.email] if reminded else [])


def test_a_patient_logged_this_year_means_no_reminder(sweep):
    person = practitioner()
    log_therapy(person, datetime.date(NOV_1.year, 3, 1))
    assert sweep(NoPatientThisYear(), NOV_1) == []


def test_only_accredited_practitioners_are_reminded_of_patients(sweep):
    lapsed = practitioner()
    set_credential_status(lapsed, CredentialKind.PRACTITIONER, CredentialStatus.LAPSED)
    UserFactory()  # no credential at all
    assert sweep(NoPatientThisYear(), NOV_1) == []


def test_the_patient_reminder_goes_once_a_year(sweep):
    person = practitioner()
    assert sweep(NoPatientThisYear(), NOV_1) == [person.email]
    assert sweep(NoPatientThisYear(), NOV_1 + datetime.timedelta(days=7)) == []


# First year: supervision below 1:12 with 60 days left --------------------------------


def first_year_practitioner(days_left, therapy, supervision):
    """Accredited so that `days_left` days of the first year (365 days) remain after today."""
    accredited_on = TODAY - datetime.timedelta(days=364 - days_left)
    person = practitioner(on=accredited_on)
    sup = supervisor()
    TherapyHours.objects.create(case=case(person, sup, started=10), date=TODAY, hours=Decimal(therapy))
    if supervision:
        SupervisionSession.objects.create(
            practitioner=person,
            supervisor=sup,
            date=TODAY,
            hours=Decimal(supervision),
            kind=SupervisionKind.FORMAL,
            status=SessionStatus.CONFIRMED,
        )
    return person


@pytest.mark.parametrize(("days_left", "reminded"), [(61, False), (60, True), (0, True), (-1, False)])
def test_first_year_ratio_reminder_in_the_last_sixty_days(sweep, days_left, reminded):
    person = first_year_practitioner(days_left, therapy="13", supervision="1")
    assert sweep(FirstYearSupervisionShort()) == ([person.email] if reminded else [])


@pytest.mark.parametrize(("therapy", "reminded"), [("12", False), ("12.5", True)])
def test_first_year_ratio_at_one_to_twelve(sweep, therapy, reminded):
    person = first_year_practitioner(30, therapy=therapy, supervision="1")
    assert sweep(FirstYearSupervisionShort()) == ([person.email] if reminded else [])


def test_the_reminder_and_the_yearly_check_agree_on_the_first_year_ratio(sweep):
    """D8 written once: the reminder and the yearly check find the same people short."""
    from accreditation import maintenance

    people = [
        first_year_practitioner(30, therapy=therapy, supervision=supervision)
        for therapy, supervision in (("12", "1"), ("12.5", "1"), ("24", "2"), ("5", None), ("36", "3"))
    ]
    unaccredited = SupervisionSession.objects.get(practitioner=people[-1])
    unaccredited.supervisor = UserFactory()  # never a DIT supervisor: the session does not count
    unaccredited.save()

    reminded = set(sweep(FirstYearSupervisionShort()))
    yearly = {
        person.email
        for person in people
        if not next(
            entry
            for entry in maintenance.check(person, TODAY.year, today=TODAY).items
            if entry.key == "first_year_ratio"
        ).met
    }
    assert reminded == yearly == {people[index].email for index in (1, 3, 4)}


def test_supervision_counts_only_while_the_supervisor_was_accredited(sweep):
    """D5, D15: a session counts if the supervisor was accredited on its date; a later
    suspension leaves the earlier sessions counted."""
    person = first_year_practitioner(30, therapy="24", supervision="1")
    sup = SupervisionSession.objects.get(practitioner=person).supervisor
    SupervisionSession.objects.create(
        practitioner=person,
        supervisor=sup,
        date=TODAY - datetime.timedelta(days=20),
        hours=Decimal("1"),
        kind=SupervisionKind.FORMAL,
        status=SessionStatus.CONFIRMED,
    )
    assert sweep(FirstYearSupervisionShort()) == []  # 2 h for 24 h of therapy

    set_credential_status(
        sup, CredentialKind.SUPERVISOR, CredentialStatus.SUSPENDED, effective_on=TODAY - datetime.timedelta(days=10)
    )
    Reminder.objects.all().delete()
    assert sweep(FirstYearSupervisionShort()) == [person.email]
    assert "1 h of formal DIT supervision for 24 h of DIT therapy" in mail.outbox[0].body


def test_unconfirmed_supervision_does_not_count(sweep):
    person = first_year_practitioner(30, therapy="6", supervision="1")
    SupervisionSession.objects.filter(practitioner=person).update(status=SessionStatus.PENDING)
    assert sweep(FirstYearSupervisionShort()) == [person.email]
    [message] = mail.outbox
    assert "0 h of formal DIT supervision for 6 h of DIT therapy" in message.body
    assert "/supervision/" in message.body


# Trainers: no yearly CPD event, from 1 November --------------------------------------


def trainer():
    person = practitioner()
    accredit(person, CredentialKind.TRAINER)
    return person


@pytest.mark.parametrize(("today", "reminded"), [(OCT_31, False), (NOV_1, True)])
def test_trainer_without_a_cpd_event_is_reminded_from_november(sweep, today, reminded):
    person = trainer()
    CpdRecord.objects.create(
        person=person, title="CPD Day", kind=CpdKind.CPD_DAY, date=datetime.date(today.year - 1, 5, 1), hours=6
    )
    assert sweep(TrainerCpdEventMissing(), today) == ([person.email] if reminded else [])


def test_a_self_logged_cpd_day_record_is_cpd_but_not_the_yearly_event(sweep):
    """D1: the event is a flagged course run or network meeting on the portal's records."""
    person = trainer()
    CpdRecord.objects.create(
        person=person, title="CPD Day", kind=CpdKind.CPD_DAY, date=datetime.date(NOV_1.year, 5, 1), hours=6
    )
    assert sweep(TrainerCpdEventMissing(), NOV_1) == [person.email]


def test_the_reminder_and_the_yearly_check_agree_on_who_attended_the_cpd_event(sweep):
    from accreditation import maintenance
    from members.models import MeetingAttendance
    from tests.members.factories import MeetingFactory
    from tests.trainings.factories import EnrolmentFactory, make_run
    from trainings.enums import EnrolmentStatus, RunStatus
    from trainings.models import Course

    def run_of(slug, trainee):
        run = make_run(course=Course.objects.get(slug=slug), dates=[datetime.date(NOV_1.year, 3, 3)])
        run.status = RunStatus.CLOSED
        run.save()
        EnrolmentFactory(run=run, trainee=trainee, status=EnrolmentStatus.COMPLETED)

    def meeting_of(trainee, *, flagged):
        meeting = MeetingFactory(
            starts_at=timezone.make_aware(datetime.datetime(NOV_1.year, 4, 4, 10)), counts_as_yearly_cpd_event=flagged
        )
        MeetingAttendance.objects.create(meeting=meeting, person=trainee)

    people = {
        name: trainer() for name in ("cpd day run", "other course", "flagged meeting", "meeting", "record", "none")
    }
    run_of("cpd-day", people["cpd day run"])
    run_of("dit-and-mentalization", people["other course"])
    meeting_of(people["flagged meeting"], flagged=True)
    meeting_of(people["meeting"], flagged=False)
    CpdRecord.objects.create(
        person=people["record"], title="CPD Day", kind=CpdKind.CPD_DAY, date=datetime.date(NOV_1.year, 5, 1), hours=6
    )

    reminded = set(sweep(TrainerCpdEventMissing(), NOV_1))
    yearly = {
        person.email
        for person in people.values()
        if not next(
            entry for entry in maintenance.check(person, NOV_1.year, today=NOV_1).items if entry.key == "cpd_event"
        ).met
    }
    assert reminded == yearly
    assert reminded == {people[name].email for name in ("other course", "meeting", "record", "none")}


def test_a_completed_cpd_day_run_this_year_is_enough(sweep):
    person = trainer()
    completed(person, "cpd-day", days=1, ended=(TODAY - datetime.date(TODAY.year, 1, 15)).days)
    assert sweep(TrainerCpdEventMissing(), max(NOV_1, TODAY)) == []


def test_practitioners_who_are_not_trainers_get_no_cpd_reminder(sweep):
    practitioner()
    assert sweep(TrainerCpdEventMissing(), NOV_1) == []


# Maintenance failed: coordinators 30 days after the person was warned ---------------


def failed_check(warned_days_ago, passed=False):
    person = practitioner(full_name="Fay Failing")
    return MaintenanceResult.objects.create(
        person=person,
        year=TODAY.year - 1,
        passed=passed,
        items=[
            {"key": "patient", "label": "DIT patients seen", "met": False, "missing": "See at least 1 DIT patient."}
        ],
        checked_at=timezone.now(),
        warned_at=timezone.now() - datetime.timedelta(days=warned_days_ago),
    )


@pytest.mark.parametrize(("warned_days_ago", "reminded"), [(29, False), (30, True)])
def test_coordinators_are_told_thirty_days_after_the_warning(sweep, warned_days_ago, reminded):
    coordinators = [UserFactory(role=roles.COORDINATOR) for _ in range(2)]
    UserFactory(role=roles.PROGRAMME_DIRECTOR)
    failed_check(warned_days_ago)
    expected = sorted(coordinator.email for coordinator in coordinators) if reminded else []
    assert sweep(MaintenanceFailedCoordinators()) == expected


def test_coordinators_are_told_what_is_missing_and_where_to_look(sweep):
    UserFactory(role=roles.COORDINATOR)
    result = failed_check(45)
    sweep(MaintenanceFailedCoordinators())
    [message] = mail.outbox
    assert "Fay Failing" in message.subject
    assert "See at least 1 DIT patient." in message.body
    assert f"/admin/accreditation/maintenanceresult/{result.pk}/change/" in message.body


def test_a_check_that_now_passes_tells_nobody(sweep):
    UserFactory(role=roles.COORDINATOR)
    failed_check(45, passed=True)
    assert sweep(MaintenanceFailedCoordinators()) == []


# Each rule costs the same queries however many people are due -----------------------


def _due_role_play():
    role_play(UserFactory(), RolePlayOutcome.REFER, retake_by=in_days(3))


def _due_case_study():
    submission = case_study(UserFactory(), CaseStudyStatus.REFERRED)
    submission.resubmit_by = in_days(3)
    submission.save(update_fields=["resubmit_by"])


def _due_trainer():
    trainer()


BUILDERS = [
    (RolePlayRetakeDue(), _due_role_play, TODAY),
    (CaseStudyResubmissionDue(), _due_case_study, TODAY),
    (NoPatientThisYear(), practitioner, NOV_1),
    (FirstYearSupervisionShort(), lambda: first_year_practitioner(30, therapy="13", supervision="1"), TODAY),
    (TrainerCpdEventMissing(), _due_trainer, NOV_1),
    (MaintenanceFailedCoordinators(), lambda: failed_check(40), TODAY),
]


@pytest.mark.parametrize(("rule", "build", "today"), BUILDERS, ids=[rule.kind for rule, _, _ in BUILDERS])
def test_each_rule_costs_the_same_queries_for_few_and_many(rule, build, today, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.models import Reminder

    UserFactory(role=roles.COORDINATOR)
    UserFactory(role=roles.COORDINATOR)
    counts = []
    for due in (2, 8):
        while _due_people(rule, today) < due:
            build()
        Reminder.objects.all().delete()  # each round sends to everyone due
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            outcome = services.send_due_reminders(rules=[rule], today=today)
        assert outcome["sent"] == due * (2 if rule.kind == "maintenance_failed_coordinators" else 1)
        # Reading costs the same; each reminder is marked by its own update after its send.
        counts.append(len(queries) - outcome["sent"] - outcome["failed"])
    assert counts[0] == counts[1], counts


def _due_people(rule, today):
    return rule.candidates(today).count()
