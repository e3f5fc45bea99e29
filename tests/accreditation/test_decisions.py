"""DOMAIN.md D23 and D24 (one named test per decision), and the pathway gaps a one-line change
used to slip through: each test fails if the rule it names is removed."""

import datetime

import pytest
from django.utils import timezone

from accreditation import services
from accreditation.enums import PracticeRoute, RolePlayOutcome
from accreditation.models import RolePlayResult
from accreditation.pathways import checklist
from members import roles
from members.enums import CredentialKind
from supervision.enums import CasePurpose
from supervision.models import Recording
from tests.factories import UserFactory, staff_with_totp
from trainings.enums import EnrolmentStatus, TrainerRole

from .helpers import case, completed, days_ago, five_day_completer, role_play, session, supervisor
from .test_pathways import _practitioner_and_supervisor, _supervisor_candidate, _trainer_run

pytestmark = pytest.mark.django_db

PRACTITIONER = CredentialKind.PRACTITIONER


def item(result, key):
    return next(entry for entry in result.items if entry.key == key)


@pytest.fixture
def coordinator():
    return staff_with_totp(roles.COORDINATOR)


# D23: approved supervisor ------------------------------------------------------------------


def test_d23_recordings_count_only_when_the_cases_supervisor_rated_them():
    person, _sup, cases = five_day_completer()
    stranger = UserFactory()  # never a DIT supervisor
    Recording.objects.filter(case__in=cases).update(rated_by=stranger)
    entry = item(checklist(person, PRACTITIONER), "supervision")
    assert not entry.met
    assert "0 of 4 recordings passed" in entry.evidence

    other_supervisor = supervisor()  # accredited, but not the cases' named supervisor
    Recording.objects.filter(case__in=cases).update(rated_by=other_supervisor)
    assert not item(checklist(person, PRACTITIONER), "supervision").met


def test_d23_a_recording_rated_before_its_supervisor_was_accredited_does_not_count():
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=200)
    sup = supervisor(on=days_ago(60))
    first = case(person, sup, started=150)
    second = case(person, sup, started=140)
    for index in range(16):
        session(person, sup, on=50 - index, cases=[first, second])
    for index in range(4):
        Recording.objects.create(
            case=first if index % 2 else second,
            phase="middle",
            session_date=days_ago(100),
            rating="pass",
            rated_at=timezone.now() - datetime.timedelta(days=90 if index == 0 else 30),
            rated_by=sup,
        )
    entry = item(checklist(person, PRACTITIONER), "supervision")
    assert "3 of 4 recordings passed" in entry.evidence and not entry.met


def test_d23_cases_with_a_supervisor_never_accredited_are_not_concurrent_training_cases():
    person, sup, cases = five_day_completer()
    not_a_supervisor = UserFactory()
    cases[1].supervisor = not_a_supervisor
    cases[1].save()
    entry = item(checklist(person, PRACTITIONER), "supervision")
    assert not entry.met
    assert "on 1 concurrent case" in entry.evidence
    assert "2 concurrent cases with an approved DIT supervisor" in entry.missing


def test_d23_hours_count_only_sessions_that_discussed_a_training_case():
    person, sup, cases = five_day_completer(hours=15)
    session(person, sup, on=20)  # confirmed and formal, but about no training case
    assert not item(checklist(person, PRACTITIONER), "supervision").met
    session(person, sup, on=19, cases=[cases[0]])
    assert item(checklist(person, PRACTITIONER), "supervision").met


def test_d23_supervisor_route_cases_need_an_approved_supervisor():
    person = _supervisor_candidate()
    assert checklist(person, CredentialKind.SUPERVISOR).all_met
    not_a_supervisor = UserFactory()
    person.dit_cases.filter(purpose=CasePurpose.SUPERVISOR_TRAINING, seen_in_person=False).update(
        supervisor=not_a_supervisor
    )
    entry = item(checklist(person, CredentialKind.SUPERVISOR), "supervisor_training_cases")
    assert not entry.met
    assert "1 more training cases with an approved DIT supervisor" in entry.missing


# D24: role-play after a fail, referral deadlines ---------------------------------------------


def test_d24_a_role_play_needs_the_whole_training_attended(coordinator):
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=40, status=EnrolmentStatus.NOT_COMPLETED)
    with pytest.raises(services.AccreditationError, match="no completed 5-day or 20-day training"):
        services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(39), by=coordinator)
    assert not RolePlayResult.objects.exists()
    completed(person, "5-day-dit-training", ended=20)
    with pytest.raises(services.AccreditationError, match="no completed"):  # before that run ended
        services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(21), by=coordinator)
    assert services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(20), by=coordinator)


def test_d24_after_a_fail_the_training_is_attended_again_and_that_run_counts(coordinator):
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=300)
    services.record_role_play(person, outcome=RolePlayOutcome.FAIL, assessed_on=days_ago(300), by=coordinator)
    with pytest.raises(services.AccreditationError, match="must attend the whole training again"):
        services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(200), by=coordinator)
    result = checklist(person, PRACTITIONER)
    assert not item(result, "training").met
    assert "Attend the whole training again" in item(result, "training").missing
    assert item(result, "role_play").missing == "Attend the training again, then take the role-play again."

    again = completed(person, "5-day-dit-training", ended=100)
    services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(100), by=coordinator)
    result = checklist(person, PRACTITIONER)
    assert item(result, "training").met and str(again.run) in item(result, "training").evidence
    assert item(result, "role_play").met


def test_d24_a_pass_recorded_after_a_fail_without_retraining_does_not_count():
    """Rows from before the rule (or imported): the checklist applies D24 too."""
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=300)
    role_play(person, RolePlayOutcome.FAIL, on=days_ago(300))
    role_play(person, RolePlayOutcome.PASS, on=days_ago(200), attempt=2)
    result = checklist(person, PRACTITIONER)
    assert not item(result, "role_play").met
    assert not item(result, "training").met


def test_d24_a_retake_after_the_referral_deadline_is_refused_and_counts_as_a_fail(coordinator):
    person = UserFactory()
    completed(person, "5-day-dit-training", ended=250)
    services.record_role_play(
        person,
        outcome=RolePlayOutcome.REFER,
        assessed_on=days_ago(250),
        retake_by=days_ago(160),
        by=coordinator,
    )
    before = checklist(person, PRACTITIONER, as_of=days_ago(161))
    assert "Retake the role-play by" in item(before, "role_play").missing

    with pytest.raises(services.AccreditationError, match="retake deadline of attempt 1 .* has passed"):
        services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(10), by=coordinator)
    after = item(checklist(person, PRACTITIONER), "role_play")
    assert "Retake" not in after.missing and after.deadline is None
    assert after.missing == "Attend the training again, then take the role-play again."
    assert "not retaken by" in after.evidence

    # Retaking on the deadline day itself is still in time.
    assert (
        services.record_role_play(
            person, outcome=RolePlayOutcome.PASS, assessed_on=days_ago(160), by=coordinator
        ).attempt
        == 2
    )


# Gaps: each a one-line change that used to pass ----------------------------------------------


def test_a_person_on_both_the_five_day_and_twenty_day_is_judged_on_the_five_day_route():
    person = UserFactory()
    completed(person, "20-day-dit-programme", days=20, ended=300)
    assert checklist(person, PRACTITIONER).route == PracticeRoute.TWENTY_DAY
    completed(person, "5-day-dit-training", ended=100)
    assert checklist(person, PRACTITIONER).route == PracticeRoute.FIVE_DAY


def test_four_of_five_shadowing_days_do_not_meet_trainer_step_two():
    person = _practitioner_and_supervisor()
    run = _trainer_run(person, "5-day-dit-training", days=5, start_ago=200, role=TrainerRole.SHADOWING)
    from trainings.models import TrainerDay

    TrainerDay.objects.filter(day=run.days.order_by("date").last()).delete()
    entry = item(checklist(person, CredentialKind.TRAINER), "shadowing")
    assert not entry.met
    assert "4 of 5 days" in entry.missing


def test_the_supervisor_route_needs_a_training_case_seen_in_person():
    person = _supervisor_candidate()
    person.dit_cases.filter(purpose=CasePurpose.SUPERVISOR_TRAINING).update(seen_in_person=False)
    entry = item(checklist(person, CredentialKind.SUPERVISOR), "supervisor_training_cases")
    assert not entry.met and "a case seen in person" in entry.missing


def test_the_five_day_route_does_not_count_supervision_from_before_the_training_began():
    person, sup, cases = five_day_completer(hours=15)
    # The run began 204 days ago; a session the day before does not count.
    session(person, sup, on=205, cases=cases)
    assert not item(checklist(person, PRACTITIONER), "supervision").met
    session(person, sup, on=204, cases=cases)
    assert item(checklist(person, PRACTITIONER), "supervision").met
