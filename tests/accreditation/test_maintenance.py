"""The yearly maintenance check (D7, D8, D14, D1): one patient a year, 1:12 in the first
year from a (backdated) accreditation date, the trainers' CPD event; stored, warned once."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accreditation import maintenance
from accreditation.models import MaintenanceResult
from accreditation.tasks import check_maintenance
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential
from supervision.enums import CpdKind
from supervision.models import CpdRecord, TherapyHours
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Course

from .helpers import accredit, case, session, supervisor

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(2026, 1, 10)


def item(result, key):
    return next(entry for entry in result.items if entry.key == key)


def _hours(of_case, day, hours):
    TherapyHours.objects.create(case=of_case, date=day, hours=Decimal(str(hours)))


def _practitioner(accredited_on):
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER, accredited_on)
    return person


def _session_on(person, sup, day, hours):
    made = session(person, sup, hours=hours, on=0)
    made.date = day
    made.decided_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    made.save()
    return made


def test_no_patient_in_the_year_fails_and_one_passes():
    person = _practitioner(datetime.date(2020, 1, 1))
    sup = supervisor()
    own = case(person, sup, started=900)
    _hours(own, datetime.date(2024, 12, 31), 1)  # the year before: does not count
    result = maintenance.check(person, YEAR, today=TODAY)
    assert not item(result, "patient").met and not result.passed
    _hours(own, datetime.date(2025, 1, 1), 1)
    result = maintenance.check(person, YEAR, today=TODAY)
    assert item(result, "patient").met and result.passed
    assert "first_year_ratio" not in [entry.key for entry in result.items]


def test_ratio_at_exactly_one_to_twelve_passes_and_just_below_fails():
    accredited_on = datetime.date(2025, 3, 1)
    person = _practitioner(accredited_on)
    sup = supervisor()
    own = case(person, sup, started=900)
    _hours(own, datetime.date(2025, 4, 1), 8)
    _hours(own, datetime.date(2025, 5, 1), 4)
    _session_on(person, sup, datetime.date(2025, 4, 2), "1")
    result = maintenance.check(person, YEAR, today=TODAY)
    assert item(result, "first_year_ratio").met  # 1 x 12 >= 12
    _hours(own, datetime.date(2025, 6, 1), "0.25")
    result = maintenance.check(person, YEAR, today=TODAY)
    ratio = item(result, "first_year_ratio")
    assert not ratio.met and not result.passed
    assert "1.02 h of formal supervision needed" in ratio.missing


def test_peer_supervision_does_not_count_toward_the_first_year_ratio():
    person = _practitioner(datetime.date(2025, 3, 1))
    sup = supervisor()
    own = case(person, sup, started=900)
    _hours(own, datetime.date(2025, 4, 1), 12)
    peer = _session_on(person, sup, datetime.date(2025, 4, 2), "1")
    peer.kind = "peer"
    peer.save()
    assert not item(maintenance.check(person, YEAR, today=TODAY), "first_year_ratio").met


def test_first_year_boundary_from_a_backdated_accreditation_date():
    """Accredited 2 Jan 2024 (backdated): the first year ends 31 Dec 2024, so 2025 has no
    ratio check; accredited 3 Jan 2024, 1 Jan 2025 is its last first-year day."""
    person = _practitioner(datetime.date(2024, 1, 2))
    sup = supervisor()
    own = case(person, sup, started=900)
    _hours(own, datetime.date(2025, 1, 1), 12)
    assert "first_year_ratio" not in [entry.key for entry in maintenance.check(person, YEAR, today=TODAY).items]

    later = _practitioner(datetime.date(2024, 1, 3))
    own = case(later, sup, started=900)
    _hours(own, datetime.date(2025, 1, 1), 12)
    _hours(own, datetime.date(2025, 1, 2), 100)  # the day after the first year: not counted
    ratio = item(maintenance.check(later, YEAR, today=TODAY), "first_year_ratio")
    assert not ratio.met
    assert "for 12 h of DIT therapy (1 January 2025 to 1 January 2025)" in ratio.evidence


def test_the_cpd_event_is_required_of_trainers_only():
    person = _practitioner(datetime.date(2020, 1, 1))
    own = case(person, supervisor(), started=900)
    _hours(own, datetime.date(2025, 6, 1), 1)
    cpd = item(maintenance.check(person, YEAR, today=TODAY), "cpd_event")
    assert not cpd.met and not cpd.required
    assert maintenance.check(person, YEAR, today=TODAY).passed
    accredit(person, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
    result = maintenance.check(person, YEAR, today=TODAY)
    assert item(result, "cpd_event").required and not result.passed


def test_a_completed_run_of_a_flagged_course_meets_the_cpd_event_a_cpd_record_does_not():
    person = _practitioner(datetime.date(2020, 1, 1))
    accredit(person, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
    own = case(person, supervisor(), started=900)
    _hours(own, datetime.date(2025, 6, 1), 1)
    cpd_day = Course.objects.get(slug="cpd-day")
    assert cpd_day.counts_as_cpd_event
    run = make_run(course=cpd_day, dates=[datetime.date(2025, 9, 12)], status=RunStatus.CLOSED)
    EnrolmentFactory(run=run, trainee=person, status=EnrolmentStatus.COMPLETED)
    result = maintenance.check(person, YEAR, today=TODAY)
    assert result.passed and "12 September 2025" in item(result, "cpd_event").evidence

    other = _practitioner(datetime.date(2020, 1, 1))
    accredit(other, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
    _hours(case(other, supervisor(), started=900), datetime.date(2025, 6, 1), 1)
    CpdRecord.objects.create(
        person=other, title="Network meeting", kind=CpdKind.NETWORK_MEETING, date=datetime.date(2025, 3, 1), hours=2
    )
    assert not maintenance.check(other, YEAR, today=TODAY).passed
    # A self-logged "CPD Day" record is CPD, not the event (D1: read from the portal's records).
    CpdRecord.objects.create(
        person=other, title="CPD Day", kind=CpdKind.CPD_DAY, date=datetime.date(2025, 3, 2), hours=6
    )
    assert not maintenance.check(other, YEAR, today=TODAY).passed


def test_a_flagged_network_meeting_attended_meets_the_cpd_event_an_unflagged_or_cancelled_one_does_not():
    from members.models import MeetingAttendance
    from tests.members.factories import MeetingFactory

    person = _practitioner(datetime.date(2020, 1, 1))
    accredit(person, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
    _hours(case(person, supervisor(), started=900), datetime.date(2025, 6, 1), 1)

    def attended(day, **meeting):
        starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
        MeetingAttendance.objects.create(meeting=MeetingFactory(starts_at=starts_at, **meeting), person=person)

    attended(datetime.date(2025, 5, 7), title="Ordinary meeting")
    attended(
        datetime.date(2025, 7, 2), title="Cancelled annual meeting", counts_as_yearly_cpd_event=True, is_cancelled=True
    )
    attended(datetime.date(2024, 11, 6), title="Last year's annual meeting", counts_as_yearly_cpd_event=True)
    assert not maintenance.check(person, YEAR, today=TODAY).passed

    attended(datetime.date(2025, 11, 5), title="Annual network day", counts_as_yearly_cpd_event=True)
    result = maintenance.check(person, YEAR, today=TODAY)
    assert result.passed
    assert "Annual network day (5 November 2025)" in item(result, "cpd_event").evidence


def test_the_check_does_not_apply_before_accreditation():
    person = _practitioner(datetime.date(2026, 1, 5))
    assert not maintenance.check(person, YEAR, today=TODAY).applies


def test_a_failed_check_is_stored_warns_once_and_never_changes_a_credential(django_capture_on_commit_callbacks):
    person = _practitioner(datetime.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        stored = maintenance.record_check(person, YEAR, today=TODAY)
    assert not stored.passed
    assert len(mail.outbox) == 1 and "2025" in mail.outbox[0].subject
    assert "DIT patients seen this year" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        maintenance.record_check(person, YEAR, today=TODAY)
    assert len(mail.outbox) == 1
    assert MaintenanceResult.objects.filter(person=person, year=YEAR).count() == 1
    credential = HeldCredential.objects.get(holder=person, kind=CredentialKind.PRACTITIONER)
    assert credential.status == CredentialStatus.ACCREDITED


def test_the_yearly_job_checks_every_accredited_practitioner_and_tells_the_coordinators(
    django_capture_on_commit_callbacks,
):
    from members import roles

    passing = _practitioner(datetime.date(2020, 1, 1))
    _hours(case(passing, supervisor(), started=900), datetime.date(2025, 6, 1), 1)
    failing = _practitioner(datetime.date(2020, 1, 1))
    UserFactory()  # no credential: not checked
    coordinator = UserFactory(role=roles.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_maintenance(year=YEAR) == 2
    results = dict(MaintenanceResult.objects.values_list("person_id", "passed"))
    assert results == {passing.pk: True, failing.pk: False}
    summary = mail.outbox[-1]
    assert summary.to == [coordinator.email]
    assert summary.subject == "Maintenance 2025: 1 of 2 not met"
    assert failing.email in summary.body and passing.email not in summary.body


# The yearly job: whom it checks, what it mails once, what it records ----------------------


def test_people_are_selected_by_their_status_at_the_end_of_the_year_checked():
    from members.services import set_credential_status

    lapsed_in_january = _practitioner(datetime.date(2020, 1, 1))
    set_credential_status(
        lapsed_in_january, CredentialKind.PRACTITIONER, CredentialStatus.LAPSED, effective_on=datetime.date(2026, 1, 3)
    )
    lapsed_in_december = _practitioner(datetime.date(2020, 1, 1))
    set_credential_status(
        lapsed_in_december,
        CredentialKind.PRACTITIONER,
        CredentialStatus.LAPSED,
        effective_on=datetime.date(2025, 12, 1),
    )
    accredited_in_2026 = _practitioner(datetime.date(2026, 1, 2))
    assert set(maintenance.people_to_check(YEAR)) == {lapsed_in_january.pk}
    assert set(maintenance.people_to_check(2026, on=datetime.date(2026, 1, 5))) == {accredited_in_2026.pk}


def test_the_coordinators_summary_is_mailed_once_however_often_the_job_runs(django_capture_on_commit_callbacks):
    from members import roles

    _practitioner(datetime.date(2020, 1, 1))  # no patient: not met
    UserFactory(role=roles.COORDINATOR)
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            check_maintenance(year=YEAR)
    assert [message.subject for message in mail.outbox].count("Maintenance 2025: 1 of 1 not met") == 1


def test_each_stored_check_and_each_withdrawn_result_is_audited():
    from dit_portal.models import AuditEntry

    person = _practitioner(datetime.date(2020, 1, 1))
    stored = maintenance.record_check(person, YEAR, today=TODAY)
    assert AuditEntry.objects.filter(action="accreditation.maintenance.checked", object_id=str(stored.pk)).count() == 1
    # Accreditation backdated past the year: the check no longer applies, the stored result goes.
    HeldCredential.objects.filter(holder=person).update(accredited_on=datetime.date(2026, 1, 2))
    assert maintenance.record_check(person, YEAR, today=TODAY) is None
    assert not MaintenanceResult.objects.filter(person=person).exists()
    withdrawn = AuditEntry.objects.get(action="accreditation.maintenance.withdrawn")
    assert withdrawn.object_id == str(stored.pk) and withdrawn.data["year"] == YEAR


def test_a_completed_course_not_flagged_as_the_cpd_event_does_not_meet_it():
    person = _practitioner(datetime.date(2020, 1, 1))
    accredit(person, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
    _hours(case(person, supervisor(), started=900), datetime.date(2025, 6, 1), 1)
    mentalization = Course.objects.get(slug="dit-and-mentalization")
    assert not mentalization.counts_as_cpd_event
    run = make_run(course=mentalization, dates=[datetime.date(2025, 9, 12)], status=RunStatus.CLOSED)
    EnrolmentFactory(run=run, trainee=person, status=EnrolmentStatus.COMPLETED)
    assert not item(maintenance.check(person, YEAR, today=TODAY), "cpd_event").met


def test_check_this_year_so_far_shows_who_is_at_risk_and_stores_and_mails_nothing(client):
    from django.urls import reverse

    from members import roles
    from tests.factories import staff_with_totp

    at_risk = _practitioner(datetime.date(2020, 1, 1))
    coordinator = staff_with_totp(roles.COORDINATOR)
    client.force_login(coordinator)
    changelist = client.get(reverse("admin:accreditation_maintenanceresult_changelist"))
    assert "Check this year so far" in changelist.text
    response = client.get(reverse("admin:accreditation_maintenanceresult_so_far"))
    assert response.status_code == 200
    assert str(at_risk) in response.text and "At risk" in response.text
    assert "DIT patients seen this year" in response.text
    assert not MaintenanceResult.objects.exists() and mail.outbox == []


# In batches: the same answers, a fixed number of queries, every person stored once -------


def _varied_practitioners(count):
    """`count` practitioners of every kind the check tells apart: in their first year or
    long accredited, trainers or not, with a CPD Day, a flagged meeting or neither, with a
    patient and formal supervision or without, a few whom the check does not apply to."""
    from members.models import MeetingAttendance
    from members.services import set_credential_status
    from tests.members.factories import MeetingFactory

    sup = supervisor()
    cpd_run = make_run(
        course=Course.objects.get(slug="cpd-day"), dates=[datetime.date(2025, 9, 12)], status=RunStatus.CLOSED
    )
    meeting = MeetingFactory(
        starts_at=timezone.make_aware(datetime.datetime(2025, 11, 5, 18)), counts_as_yearly_cpd_event=True
    )
    people = []
    for index in range(count):
        accredited_on = datetime.date(2025, 3, 1) if index % 2 else datetime.date(2020, 1, 1)
        person = _practitioner(accredited_on)
        if index % 3 == 0:
            accredit(person, CredentialKind.TRAINER, datetime.date(2021, 1, 1))
        if index % 4 == 0:
            EnrolmentFactory(run=cpd_run, trainee=person, status=EnrolmentStatus.COMPLETED)
        elif index % 4 == 1:
            MeetingAttendance.objects.create(meeting=meeting, person=person)
        if index % 5:
            own = case(person, sup, started=900)
            _hours(own, datetime.date(2025, 4, 1), 12 + index % 3)
            _session_on(person, sup, datetime.date(2025, 4, 2), "1")
        if index % 7 == 6:
            set_credential_status(
                person, CredentialKind.PRACTITIONER, CredentialStatus.LAPSED, effective_on=datetime.date(2025, 6, 1)
            )
        people.append(person)
    people.append(UserFactory())  # holds no credential
    return people


def test_checking_people_together_gives_each_the_answer_they_get_alone():
    people = _varied_practitioners(14)
    together = maintenance.check_many(people, YEAR, today=TODAY)
    assert list(together) == [person.pk for person in people]
    for person in people:
        alone = maintenance.check(person, YEAR, today=TODAY)
        assert (together[person.pk].applies, together[person.pk].items) == (alone.applies, alone.items)
    outcomes = list(together.values())
    assert {outcome.applies for outcome in outcomes} == {True, False}
    assert {outcome.passed for outcome in outcomes if outcome.applies} == {True, False}
    kinds = {item.key for outcome in outcomes for item in outcome.items}
    assert kinds == {"patient", "first_year_ratio", "cpd_event"}


# credential histories, practitioner credentials, thresholds, cases seen, the first year's
# sums, CPD Day runs, flagged meetings
CHECK_QUERIES = 7


@pytest.mark.parametrize("count", [5, 50])
def test_checking_five_or_fifty_people_costs_the_same_queries(count, django_assert_num_queries):
    people = _varied_practitioners(count)
    with django_assert_num_queries(CHECK_QUERIES):
        outcomes = maintenance.check_many(people, YEAR, today=TODAY)
    assert len(outcomes) == count + 1


def test_the_yearly_job_over_several_batches_records_and_warns_every_person_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    from dit_portal.models import AuditEntry
    from members import roles

    monkeypatch.setattr(maintenance, "BATCH_SIZE", 4)
    people = _varied_practitioners(11)
    expected = {
        person.pk: outcome.passed
        for person, outcome in zip(people, maintenance.check_many(people, YEAR).values(), strict=True)
        if outcome.applies
    }
    assert len(expected) > 2 * maintenance.BATCH_SIZE
    failing = {person.email for person in people if expected.get(person.pk) is False}
    coordinator = UserFactory(role=roles.COORDINATOR)
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert check_maintenance(year=YEAR) == len(expected)
    assert dict(MaintenanceResult.objects.values_list("person_id", "passed")) == expected
    assert AuditEntry.objects.filter(action="accreditation.maintenance.checked").count() == 2 * len(expected)
    warnings = [message.to[0] for message in mail.outbox if message.to != [coordinator.email]]
    assert sorted(warnings) == sorted(failing)
    summaries = [message for message in mail.outbox if message.to == [coordinator.email]]
    assert len(summaries) == 1 and f"{len(failing)} of {len(expected)} not met" in summaries[0].subject


def test_a_batch_withdraws_the_results_that_no_longer_apply_and_stores_the_rest():
    from dit_portal.models import AuditEntry

    staying, leaving = _practitioner(datetime.date(2020, 1, 1)), _practitioner(datetime.date(2020, 1, 1))
    first = maintenance.record_checks([staying, leaving], YEAR, today=TODAY)
    assert set(first) == {staying.pk, leaving.pk} and all(first.values())
    HeldCredential.objects.filter(holder=leaving).update(accredited_on=datetime.date(2026, 1, 2))
    again = maintenance.record_checks([staying, leaving], YEAR, today=TODAY)
    assert again[leaving.pk] is None and again[staying.pk].pk == first[staying.pk].pk
    assert list(MaintenanceResult.objects.values_list("person_id", flat=True)) == [staying.pk]
    withdrawn = AuditEntry.objects.get(action="accreditation.maintenance.withdrawn")
    assert withdrawn.object_id == str(first[leaving.pk].pk)


def test_checking_selected_results_again_stores_each_for_its_own_year_by_the_coordinator(client):
    from django.urls import reverse

    from dit_portal.models import AuditEntry
    from members import roles
    from tests.factories import staff_with_totp

    person, other = _practitioner(datetime.date(2020, 1, 1)), _practitioner(datetime.date(2020, 1, 1))
    _hours(case(person, supervisor(), started=900), datetime.date(2025, 6, 1), 1)
    stored = [maintenance.record_check(someone, year) for someone in (person, other) for year in (2024, YEAR)]
    MaintenanceResult.objects.update(passed=False, items=[])
    coordinator = staff_with_totp(roles.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:accreditation_maintenanceresult_changelist"),
        {"action": "recheck", "_selected_action": [result.pk for result in stored]},
    )
    assert response.status_code == 302
    results = {(row.person_id, row.year): row.passed for row in MaintenanceResult.objects.all()}
    assert results == {
        (person.pk, 2024): False,
        (person.pk, YEAR): True,
        (other.pk, 2024): False,
        (other.pk, YEAR): False,
    }
    assert MaintenanceResult.objects.filter(items=[]).count() == 0
    assert AuditEntry.objects.filter(action="accreditation.maintenance.checked", actor=coordinator).count() == 4
