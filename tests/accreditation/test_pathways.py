"""The requirements engine at its edges: thresholds exact and one short, D5/D15 supervisor
dates, pending and disputed sessions, routes and step order."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accreditation.enums import CaseStudyStatus, LetterWriter, PracticeRoute, RolePlayOutcome
from accreditation.pathways import checklist
from members.enums import CredentialKind, CredentialStatus
from members.models import PersonProfile
from members.services import set_credential_status
from supervision.enums import CasePurpose, RecordingPhase, RecordingRating, SessionStatus
from supervision.models import Recording
from tests.factories import UserFactory
from tests.trainings.factories import RunTrainerFactory
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import TrainerDay

from .helpers import (
    accredit,
    case,
    case_study,
    completed,
    days_ago,
    five_day_completer,
    letter,
    recording,
    role_play,
    session,
    set_threshold,
    supervisor,
)

pytestmark = pytest.mark.django_db

PRACTITIONER = CredentialKind.PRACTITIONER


def item(result, key):
    return next(entry for entry in result.items if entry.key == key)


# Practitioner via the 5-day training ---------------------------------------------------


def test_a_five_day_completer_with_everything_meets_every_item():
    person, _, _ = five_day_completer()
    result = checklist(person, PRACTITIONER)
    assert result.route == PracticeRoute.FIVE_DAY
    assert [entry.key for entry in result.items] == ["training", "role_play", "supervision", "case_study"]
    assert result.all_met
    assert item(result, "supervision").evidence == (
        "16 of 16 confirmed hours on 2 concurrent cases; 4 of 4 recordings passed"
    )


def test_supervision_one_hour_short_is_not_met_and_says_what_is_missing():
    person, _, _ = five_day_completer(hours=15)
    supervision = item(checklist(person, PRACTITIONER), "supervision")
    assert not supervision.met
    assert supervision.evidence.startswith("15 of 16 confirmed hours on 2 concurrent cases")
    assert "1 more confirmed hours of supervision" in supervision.missing


def test_one_recording_short_is_not_met():
    person, _, _ = five_day_completer(recordings=3)
    supervision = item(checklist(person, PRACTITIONER), "supervision")
    assert not supervision.met
    assert "3 of 4 recordings passed" in supervision.evidence


def test_threshold_is_data_a_changed_value_changes_the_answer():
    person, _, _ = five_day_completer(hours=15)
    set_threshold("five_day_supervision_hours", 15)
    assert item(checklist(person, PRACTITIONER), "supervision").met


def test_cases_must_run_at_the_same_time():
    person = UserFactory()
    sup = supervisor()
    completed(person, "5-day-dit-training", ended=300)
    first = case(person, sup, started=250, ended=200)
    second = case(person, sup, started=150, ended=100)
    for index in range(16):
        session(person, sup, on=120 - index, cases=[first, second])
    for _ in range(4):
        recording(first)
    supervision = item(checklist(person, PRACTITIONER), "supervision")
    assert "on 1 concurrent case;" in supervision.evidence
    assert not supervision.met


@pytest.mark.parametrize("status", [SessionStatus.PENDING, SessionStatus.DISPUTED])
def test_pending_and_disputed_sessions_do_not_count(status):
    person, sup, cases = five_day_completer(hours=15)
    session(person, sup, on=20, status=status, cases=cases)
    assert not item(checklist(person, PRACTITIONER), "supervision").met
    session(person, sup, on=21, cases=cases)
    assert item(checklist(person, PRACTITIONER), "supervision").met


def test_a_session_counts_only_if_its_supervisor_was_accredited_on_its_date():
    person, _, cases = five_day_completer(hours=15)
    late = supervisor(on=days_ago(5))
    third = case(person, late, started=50)  # concurrent with the other two, supervised by `late`
    session(person, late, on=6, cases=[third])  # the day before they were accredited
    assert not item(checklist(person, PRACTITIONER), "supervision").met
    session(person, late, on=5, cases=[third])  # the day they were accredited
    assert item(checklist(person, PRACTITIONER), "supervision").met


def test_sessions_before_a_supervisor_lapsed_still_count(settings):
    """D15: suspended or lapsed later; sessions before the date of the change count."""
    person, sup, cases = five_day_completer(hours=15)
    Recording.objects.filter(case__in=cases).update(rated_at=timezone.now() - datetime.timedelta(days=40))
    session(person, sup, on=30, cases=cases)
    set_credential_status(sup, CredentialKind.SUPERVISOR, CredentialStatus.LAPSED, effective_on=days_ago(20))
    session(person, sup, on=10, cases=cases)  # after the lapse: does not count
    result = item(checklist(person, PRACTITIONER), "supervision")
    assert result.met
    assert result.evidence.startswith("16 of 16")


def test_a_later_pass_replaces_a_not_yet():
    person, sup, (first, second) = five_day_completer(recordings=3)
    recording(first, rating=RecordingRating.NOT_YET)
    assert not item(checklist(person, PRACTITIONER), "supervision").met
    recording(first, rating=RecordingRating.PASS)
    assert item(checklist(person, PRACTITIONER), "supervision").met


def test_a_checklist_as_of_an_earlier_date_ignores_what_came_after():
    person, _, _ = five_day_completer()
    result = checklist(person, PRACTITIONER, as_of=days_ago(195))
    assert item(result, "training").met
    assert not item(result, "role_play").met
    assert item(result, "supervision").evidence.startswith("0 of 16")


def test_attending_part_of_the_five_day_run_is_not_completing_it():
    person = UserFactory()
    completed(person, "5-day-dit-training", status=EnrolmentStatus.NOT_COMPLETED)
    assert not item(checklist(person, PRACTITIONER), "training").met


def test_a_cancelled_run_does_not_count():
    person = UserFactory()
    completed(person, "5-day-dit-training", run_status=RunStatus.CANCELLED)
    assert not item(checklist(person, PRACTITIONER), "training").met


def test_role_play_referral_shows_the_retake_deadline():
    person = UserFactory()
    role_play(person, RolePlayOutcome.REFER, on=days_ago(10), retake_by=days_ago(-80))
    entry = item(checklist(person, PRACTITIONER), "role_play")
    assert not entry.met
    assert entry.deadline == days_ago(-80)
    assert "Retake the role-play by" in entry.missing


def test_case_study_awaiting_review_and_referred():
    person = UserFactory()
    case_study(person, CaseStudyStatus.SUBMITTED)
    assert item(checklist(person, PRACTITIONER), "case_study").missing == "Awaiting review by an assessor."
    other = UserFactory()
    study = case_study(other, CaseStudyStatus.REFERRED)
    study.resubmit_by = days_ago(-30)
    study.save()
    entry = item(checklist(other, PRACTITIONER), "case_study")
    assert not entry.met and entry.deadline == days_ago(-30)


# Practitioner via the 20-day programme (D6) -------------------------------------------------


def _twenty_day(cases_confirmed):
    from django.utils import timezone

    person = UserFactory()
    sup = supervisor()
    completed(person, "20-day-dit-programme", days=20, ended=300)
    role_play(person, on=days_ago(290))
    for index in range(cases_confirmed):
        confirmed = case(person, sup, started=250 - index, ended=50)
        confirmed.close_supervision_confirmed_at = timezone.now()
        confirmed.close_supervision_confirmed_by = sup
        confirmed.save()
    return person, sup


def test_twenty_day_route_needs_three_closely_supervised_cases_and_no_hours():
    person, _ = _twenty_day(3)
    result = checklist(person, PRACTITIONER)
    assert result.route == PracticeRoute.TWENTY_DAY
    assert [entry.key for entry in result.items] == ["training", "role_play", "closely_supervised_cases"]
    assert result.all_met


def test_twenty_day_route_two_cases_is_one_short():
    person, _ = _twenty_day(2)
    entry = item(checklist(person, PRACTITIONER), "closely_supervised_cases")
    assert not entry.met
    assert entry.evidence == "2 of 3 cases confirmed by an accredited DIT supervisor"


def test_twenty_day_hour_threshold_when_configured_adds_a_supervision_item():
    person, _ = _twenty_day(3)
    set_threshold("twenty_day_supervision_hours", 2)
    result = checklist(person, PRACTITIONER)
    assert not item(result, "supervision").met
    assert not result.all_met


def test_a_confirmation_by_someone_not_accredited_then_does_not_count():
    person, sup = _twenty_day(3)
    unaccredited = UserFactory()
    first = person.dit_cases.first()
    first.close_supervision_confirmed_by = unaccredited
    first.save()
    assert not item(checklist(person, PRACTITIONER), "closely_supervised_cases").met


# Supervisor route (D11) --------------------------------------------------------------------


def _supervisor_candidate(years="1"):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    person = UserFactory()
    accredit(person, PRACTITIONER, days_ago(400))
    sup = supervisor()
    case(person, sup, purpose=CasePurpose.ORDINARY, started=300)
    first = case(person, sup, purpose=CasePurpose.SUPERVISOR_TRAINING, started=200, seen_in_person=True)
    second = case(person, sup, purpose=CasePurpose.SUPERVISOR_TRAINING, started=150)
    recording(first, phase=RecordingPhase.INITIAL)
    recording(first, phase=RecordingPhase.MIDDLE)
    recording(second, phase=RecordingPhase.ENDING)
    profile = PersonProfile(person=person, supervision_years=Decimal(years), supervision_verified_at=timezone.now())
    profile.supervision_evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    profile.save()
    letter(person, LetterWriter.DIT_SUPERVISOR)
    letter(person, LetterWriter.LINE_MANAGER)
    trainee, peer = UserFactory(), UserFactory()
    case(trainee, person, started=60)
    session(trainee, person, on=30)
    session(peer, person, on=30)
    return person


def test_supervisor_route_all_met():
    person = _supervisor_candidate()
    result = checklist(person, CredentialKind.SUPERVISOR)
    assert [entry.key for entry in result.items] == [
        "practitioner",
        "dit_cases",
        "supervision_experience",
        "letters",
        "supervisor_training_cases",
        "supervisees",
    ]
    assert result.all_met


def test_supervisor_route_counts_only_cases_since_the_practitioner_accreditation_date():
    person = UserFactory()
    accredit(person, PRACTITIONER, days_ago(100))
    sup = supervisor()
    case(person, sup, purpose=CasePurpose.ORDINARY, started=101)  # the day before: does not count
    case(person, sup, purpose=CasePurpose.ORDINARY, started=100)
    entry = item(checklist(person, CredentialKind.SUPERVISOR), "dit_cases")
    assert not entry.met and entry.evidence.startswith("1 of 2")
    case(person, sup, purpose=CasePurpose.ORDINARY, started=50)
    assert item(checklist(person, CredentialKind.SUPERVISOR), "dit_cases").met


def test_supervisor_route_needs_a_supervisee_in_training():
    person = _supervisor_candidate()
    person.supervised_cases.update(purpose=CasePurpose.ORDINARY)
    entry = item(checklist(person, CredentialKind.SUPERVISOR), "supervisees")
    assert not entry.met and "training to be a DIT practitioner" in entry.missing


def test_supervisor_route_a_missing_phase_and_less_experience():
    person = _supervisor_candidate(years="0.9")
    from supervision.models import Recording

    Recording.objects.filter(case__practitioner=person, phase=RecordingPhase.ENDING).update(
        rating=RecordingRating.NOT_YET
    )
    result = checklist(person, CredentialKind.SUPERVISOR)
    assert "At least 1 years" in item(result, "supervision_experience").missing
    training_cases = item(result, "supervisor_training_cases")
    assert not training_cases.met
    assert training_cases.missing == "Needed: a recording rated pass in the ending phase."


def test_unverified_experience_is_not_met():
    person = _supervisor_candidate()
    PersonProfile.objects.filter(person=person).update(supervision_verified_at=None)
    entry = item(checklist(person, CredentialKind.SUPERVISOR), "supervision_experience")
    assert not entry.met and "verification" in entry.missing


# Trainer route (D9, D10) --------------------------------------------------------------------


def _trainer_run(person, slug, *, days, start_ago, role, run_by_centre=True):
    from tests.trainings.factories import make_run
    from trainings.models import Course

    dates = [days_ago(start_ago - offset) for offset in range(days)]
    run = make_run(course=Course.objects.get(slug=slug), dates=dates, run_by_centre=run_by_centre)
    trainer = RunTrainerFactory(run=run, trainer=person, role=role)
    for day in run.days.all():
        TrainerDay.objects.create(run_trainer=trainer, day=day, role=role)
    return run


def _practitioner_and_supervisor(since_ago=500):
    person = UserFactory()
    accredit(person, PRACTITIONER, days_ago(since_ago))
    accredit(person, CredentialKind.SUPERVISOR, days_ago(since_ago))
    return person


def test_trainer_all_days_of_one_five_day_run_shadowed_then_delivered():
    person = _practitioner_and_supervisor()
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=200, role=TrainerRole.SHADOWING)
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=100, role=TrainerRole.SUPPORT)
    result = checklist(person, CredentialKind.TRAINER)
    assert result.all_met
    assert item(result, "shadowing").met_on == days_ago(196)


def test_trainer_twenty_day_days_summed_exactly_ten_and_nine():
    person = _practitioner_and_supervisor()
    _trainer_run(person, "20-day-dit-programme", days=6, start_ago=300, role=TrainerRole.SHADOWING)
    _trainer_run(person, "20-day-dit-programme", days=3, start_ago=250, role=TrainerRole.SHADOWING)
    entry = item(checklist(person, CredentialKind.TRAINER), "shadowing")
    assert not entry.met and "9 of 10 days" in entry.missing
    _trainer_run(person, "20-day-dit-programme", days=1, start_ago=200, role=TrainerRole.SHADOWING)
    assert item(checklist(person, CredentialKind.TRAINER), "shadowing").met


def test_trainer_days_of_a_provider_run_or_a_cancelled_run_do_not_count():
    person = _practitioner_and_supervisor()
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=200, role=TrainerRole.SHADOWING, run_by_centre=False)
    run = _trainer_run(person, "5-day-dit-training", days=5, start_ago=150, role=TrainerRole.SHADOWING)
    run.status = RunStatus.CANCELLED
    run.save()
    assert not item(checklist(person, CredentialKind.TRAINER), "shadowing").met


def test_trainer_steps_are_ordered_by_date():
    """Shadowing before step 1 was met, and delivery before step 2, do not count (D10)."""
    person = _practitioner_and_supervisor(since_ago=150)
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=200, role=TrainerRole.SHADOWING)  # before step 1
    result = checklist(person, CredentialKind.TRAINER)
    assert item(result, "practitioner_and_supervisor").met
    assert not item(result, "shadowing").met
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=60, role=TrainerRole.SUPPORT)  # delivery first
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=40, role=TrainerRole.SHADOWING)
    result = checklist(person, CredentialKind.TRAINER)
    assert item(result, "shadowing").met
    assert not item(result, "delivery").met
    _trainer_run(person, "5-day-dit-training", days=5, start_ago=20, role=TrainerRole.LEAD)
    assert checklist(person, CredentialKind.TRAINER).all_met


def test_trainer_step_one_needs_both_credentials():
    person = UserFactory()
    accredit(person, PRACTITIONER)
    assert not item(checklist(person, CredentialKind.TRAINER), "practitioner_and_supervisor").met


# Complex Care (D12) ------------------------------------------------------------------------


def test_complex_care_needs_accredited_practitioner_and_a_completed_run():
    person = UserFactory()
    completed(person, "dit-for-complex-care", days=2)
    result = checklist(person, CredentialKind.COMPLEX_CARE)
    assert not result.all_met
    accredit(person, PRACTITIONER)
    assert checklist(person, CredentialKind.COMPLEX_CARE).all_met
