"""Every rule of applications, decisions, the waiting list, attendance and completion, at
the service level (the views and the admin only call these)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from dit_portal.audit import entries_for
from dit_portal.models import AuditEntry
from members.enums import CredentialKind, CredentialStatus
from members.services import set_credential_status
from tests.factories import UserFactory
from trainings import selectors, services
from trainings.enums import AnswerType, EnrolmentStatus, EvidenceRule, RunStatus, TrainerRole
from trainings.models import Attendance, Course, Enrolment, EnrolmentAnswer, TrainerDay
from trainings.services import TrainingError

from .factories import (
    CourseFactory,
    EnrolmentFactory,
    RequirementFactory,
    RunTrainerFactory,
    in_days,
    make_run,
    pdf_upload,
    yes_to_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_day():
    """The seeded 5-Day DIT Training, with its entry requirements."""
    return Course.objects.get(slug="5-day-dit-training")


def actions_on(obj):
    return [entry.action for entry in entries_for(obj)]


def accepted(run, count):
    return [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED) for _ in range(count)]


# Applying ------------------------------------------------------------------------------


def test_apply_stores_answers_evidence_audit_and_mails_the_applicant(
    five_day, trainee, private_files, django_capture_on_commit_callbacks
):
    run = make_run(course=five_day)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.apply_for_run(run, trainee=trainee, answers=yes_to_all(five_day), note=" Funded place ")

    assert enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.applicant_note == "Funded place"
    answers = {answer.question: answer for answer in enrolment.answers.all()}
    assert set(answers) == {requirement.title for requirement in five_day.requirements.all()}
    assert answers["Supervised psychodynamic work"].number == Decimal("151")
    assert answers["Professional registration"].display_value == "HCPC REG-12345"
    evidence = answers["Psychodynamic training"]
    assert evidence.evidence_name == "certificate.pdf"
    assert evidence.evidence.name.startswith("evidence/") and evidence.evidence.name.endswith(".pdf")
    assert "certificate" not in evidence.evidence.name
    assert len(private_files()) == 4  # every requirement asking for evidence got one here
    assert actions_on(enrolment) == ["trainings.enrolment.applied"]
    assert [message.subject for message in mail.outbox] == [f"Application received: 5-Day DIT Training, {run.label}"]
    assert mail.outbox[0].to == [trainee.email]


@pytest.mark.parametrize(
    ("run_fields", "message"),
    [
        ({"status": RunStatus.CLOSED}, "Applications for this training are closed"),
        ({"status": RunStatus.CANCELLED}, "This training has been cancelled"),
        ({"status": RunStatus.DRAFT}, "Applications for this training are closed"),
        (
            {"application_deadline": datetime.date(2020, 1, 1)},
            "The application deadline for this training (1 January 2020) has passed",
        ),
        (
            {"status": RunStatus.FULL, "application_deadline": datetime.date(2020, 1, 1)},
            "The application deadline for this training (1 January 2020) has passed",
        ),
    ],
)
def test_apply_refused_on_a_run_not_taking_applications(run_fields, message, trainee, private_files):
    course = CourseFactory()
    RequirementFactory(course=course, evidence=EvidenceRule.REQUIRED)
    run = make_run(course=course, **run_fields)

    with pytest.raises(TrainingError, match=re.escape(message)):
        services.apply_for_run(run, trainee=trainee, answers=yes_to_all(course))

    assert not Enrolment.objects.exists()
    assert not EnrolmentAnswer.objects.exists()
    assert private_files() == []
    assert not AuditEntry.objects.filter(action__startswith="trainings.").exists()


def test_applying_to_a_full_run_joins_its_waiting_list(trainee, django_capture_on_commit_callbacks):
    run = make_run(capacity=1, status=RunStatus.FULL)
    accepted(run, 1)
    already_waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, waitlist_position=4)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.apply_for_run(run, trainee=trainee, answers=[])

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WAITLISTED
    assert enrolment.waitlist_position == 5  # behind everyone already waiting
    assert list(selectors.waiting_list(run)) == [already_waiting, enrolment]
    ahead = selectors.my_enrolments(trainee).get(pk=enrolment.pk).waitlist_ahead
    assert ahead == 1
    assert [m.subject for m in mail.outbox] == [f"On the waiting list: {run.course.title}, {run.label}"]
    assert "joined the waiting list, at number 2" in mail.outbox[0].body
    assert AuditEntry.objects.get(action="trainings.enrolment.applied").data["waitlist_position"] == 5


def test_every_place_taken_joins_the_waiting_list_even_if_status_still_open(trainee):
    run = make_run(capacity=1)
    accepted(run, 1)
    enrolment = services.apply_for_run(run, trainee=trainee, answers=[])
    assert enrolment.status == EnrolmentStatus.WAITLISTED
    assert enrolment.waitlist_position == 1


def test_a_waitlisted_applicant_is_offered_the_freed_place_and_takes_it(trainee, django_capture_on_commit_callbacks):
    run = make_run(capacity=1)
    (holder,) = accepted(run, 1)
    waiting = services.apply_for_run(run, trainee=trainee, answers=[])

    services.withdraw_enrolment(holder, by=holder.trainee)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.OFFERED
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_offer(waiting, by=trainee)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ACCEPTED


def test_second_application_to_the_same_run_is_refused(trainee, private_files):
    course = CourseFactory()
    RequirementFactory(course=course, evidence=EvidenceRule.REQUIRED)
    run = make_run(course=course)
    services.apply_for_run(run, trainee=trainee, answers=yes_to_all(course))
    stored = private_files()

    with pytest.raises(TrainingError, match="You have already applied for this training"):
        services.apply_for_run(run, trainee=trainee, answers=yes_to_all(course))

    assert run.enrolments.count() == 1
    assert private_files() == stored


def test_may_apply_again_after_withdrawing(trainee):
    run = make_run()
    first = services.apply_for_run(run, trainee=trainee, answers=[])
    services.withdraw_enrolment(first, by=trainee)
    second = services.apply_for_run(run, trainee=trainee, answers=[])
    assert second.pk != first.pk
    assert [e.status for e in run.enrolments.order_by("pk")] == [EnrolmentStatus.WITHDRAWN, EnrolmentStatus.APPLIED]


@pytest.mark.parametrize(
    ("title", "override", "message"),
    [
        ("Psychodynamic training", {"yes_no": False}, "Psychodynamic training: this course requires it."),
        (
            "Supervised psychodynamic work",
            {"number": Decimal("120")},
            "Supervised psychodynamic work: at least 150 hours needed; you gave 120.",
        ),
        ("Personal therapy", {"number": Decimal("0.5")}, "Personal therapy: at least 1 year needed; you gave 0.5."),
        (
            "Professional registration",
            {"registration_body": "GMC"},
            "Professional registration: current registration with HCPC, BPC, BPS, UKCP or BACP is needed.",
        ),
        ("Professional registration", {"text": "  "}, "Professional registration: your registration number is needed."),
        (
            "Psychodynamic training",
            {"evidence": None},
            "Psychodynamic training: please upload your certificate or transcript.",
        ),
    ],
)
def test_apply_refusal_names_the_rule_that_failed(five_day, trainee, title, override, message, private_files):
    run = make_run(course=five_day)
    with pytest.raises(TrainingError) as refused:
        services.apply_for_run(run, trainee=trainee, answers=yes_to_all(five_day, **{title: override}))
    assert [str(failure) for failure in refused.value.failures] == [message]
    assert message in refused.value.message
    assert not Enrolment.objects.exists()
    assert private_files() == []


def test_20_day_programme_asks_for_qualification_registration_and_employer(trainee):
    course = Course.objects.get(slug="20-day-dit-programme")
    run = make_run(course=course)
    answers = yes_to_all(course, **{"NHS Talking Therapies employer": {"text": ""}})
    with pytest.raises(TrainingError) as refused:
        services.apply_for_run(run, trainee=trainee, answers=answers)
    assert [str(f) for f in refused.value.failures] == ["NHS Talking Therapies employer: an answer is needed."]

    enrolment = services.apply_for_run(run, trainee=trainee, answers=yes_to_all(course))
    assert enrolment.answers.get(question="Professional registration").registration_body == "BACP"


def test_complex_care_reads_the_practitioner_credential(trainee):
    course = Course.objects.get(slug="dit-for-complex-care")
    run = make_run(course=course)
    with pytest.raises(TrainingError, match="Accredited DIT practitioner: this course is for accredited holders"):
        services.apply_for_run(run, trainee=trainee, answers=[])

    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.IN_PROGRESS)
    with pytest.raises(TrainingError):
        services.apply_for_run(run, trainee=trainee, answers=[])

    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    assert services.apply_for_run(run, trainee=trainee, answers=[]).status == EnrolmentStatus.APPLIED


@pytest.mark.parametrize("slug", ["cpd-day", "dit-and-mentalization"])
def test_cpd_courses_are_for_dit_practitioners_in_any_status_but_revoked_or_trained(slug):
    """D13: a practitioner credential in any status but revoked, or a completed 5-day or
    20-day training; Complex Care (above) still needs the credential accredited."""
    run = make_run(course=Course.objects.get(slug=slug))

    def applies(person):
        try:
            return services.apply_for_run(run, trainee=person, answers=[]).status == EnrolmentStatus.APPLIED
        except TrainingError as refused:
            assert "is for DIT practitioners" in str(refused)
            return False

    nobody, lapsed, revoked, in_training, trained, trained_elsewhere = UserFactory.create_batch(6)
    for person, statuses in [
        (lapsed, [CredentialStatus.ACCREDITED, CredentialStatus.LAPSED]),
        (revoked, [CredentialStatus.ACCREDITED, CredentialStatus.REVOKED]),
        (in_training, [CredentialStatus.IN_PROGRESS]),
    ]:
        for status in statuses:
            set_credential_status(person, CredentialKind.PRACTITIONER, status)
    EnrolmentFactory(
        trainee=trained,
        run=make_run(course=Course.objects.get(slug="20-day-dit-programme"), starts_in=-60),
        status=EnrolmentStatus.COMPLETED,
    )
    EnrolmentFactory(
        trainee=trained_elsewhere,
        run=make_run(course=Course.objects.get(slug="dit-refresher"), starts_in=-60),
        status=EnrolmentStatus.COMPLETED,
    )

    assert [applies(person) for person in (nobody, lapsed, revoked, in_training, trained, trained_elsewhere)] == [
        False,
        True,
        False,
        True,
        True,
        False,
    ]


def test_wrong_evidence_file_is_refused_and_nothing_stored(five_day, trainee, private_files):
    run = make_run(course=five_day)
    fake_pdf = pdf_upload("certificate.pdf", b"MZ\x90\x00 this is a Windows program")
    answers = yes_to_all(five_day, **{"Professional registration": {"evidence": fake_pdf}})
    with pytest.raises(TrainingError, match="The content of “certificate.pdf” does not match a PDF"):
        services.apply_for_run(run, trainee=trainee, answers=answers)
    assert not Enrolment.objects.exists()
    assert private_files() == []


def test_oversized_evidence_is_refused(five_day, trainee, settings, private_files):
    settings.MAX_UPLOAD_SIZE = 1024
    run = make_run(course=five_day)
    big = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    answers = yes_to_all(five_day, **{"Psychodynamic training": {"evidence": big}})
    with pytest.raises(TrainingError, match="“big.pdf” is 2.0.KB; files may be at most 1.0.KB"):
        services.apply_for_run(run, trainee=trainee, answers=answers)
    assert not Enrolment.objects.exists()
    assert private_files() == []


def test_files_stored_before_a_late_failure_are_removed(five_day, trainee, private_files, monkeypatch):
    """If the transaction fails after files were written, the files go too."""
    run = make_run(course=five_day)

    def broken_log_action(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "log_action", broken_log_action)
    with pytest.raises(RuntimeError):
        services.apply_for_run(run, trainee=trainee, answers=yes_to_all(five_day))
    assert not Enrolment.objects.exists()
    assert private_files() == []


# Decisions -------------------------------------------------------------------------------


def test_accept_gives_a_place_logs_and_mails(coordinator, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_enrolment(enrolment, by=coordinator)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert enrolment.decided_by == coordinator and enrolment.decided_at
    entry = entries_for(enrolment).get()
    assert entry.action == "trainings.enrolment.accepted" and entry.actor == coordinator
    assert entry.data == {"from": "applied", "places_taken": 1, "capacity": 10}
    assert mail.outbox[0].subject.startswith("You have a place:")


def test_accept_refused_when_the_run_is_full(coordinator):
    run = make_run(capacity=2)
    accepted(run, 2)
    waiting = EnrolmentFactory(run=run)
    with pytest.raises(TrainingError, match=r"is full \(2 of 2 places taken\).*waiting list instead"):
        services.accept_enrolment(waiting, by=coordinator)
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.APPLIED


def test_an_outstanding_offer_holds_a_place(coordinator):
    run = make_run(capacity=2)
    accepted(run, 1)
    EnrolmentFactory(
        run=run, status=EnrolmentStatus.OFFERED, offer_expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    with pytest.raises(TrainingError, match="is full"):
        services.accept_enrolment(EnrolmentFactory(run=run), by=coordinator)


def test_taking_the_last_place_marks_the_run_full(coordinator):
    run = make_run(capacity=2)
    accepted(run, 1)
    services.accept_enrolment(EnrolmentFactory(run=run), by=coordinator)
    run.refresh_from_db()
    assert run.status == RunStatus.FULL
    assert actions_on(run) == ["trainings.run.status_changed"]


def test_eligibility_is_checked_again_at_acceptance(coordinator, trainee):
    course = Course.objects.get(slug="dit-for-complex-care")
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    enrolment = services.apply_for_run(make_run(course=course), trainee=trainee, answers=[])
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.SUSPENDED)

    with pytest.raises(
        TrainingError, match="does not meet the entry requirements of DIT for Complex Care.*Accredited DIT practitioner"
    ):
        services.accept_enrolment(enrolment, by=coordinator)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.APPLIED


def test_eligibility_is_checked_again_when_an_offered_place_is_taken_up(coordinator, trainee):
    course = Course.objects.get(slug="dit-for-complex-care")
    run = make_run(course=course, capacity=1)
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    enrolment = services.apply_for_run(run, trainee=trainee, answers=[])
    holder = EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    services.waitlist_enrolment(enrolment, by=coordinator)
    services.withdraw_enrolment(holder, by=holder.trainee)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.OFFERED
    set_credential_status(trainee, CredentialKind.PRACTITIONER, CredentialStatus.SUSPENDED)

    with pytest.raises(TrainingError, match="does not meet the entry requirements of DIT for Complex Care"):
        services.accept_offer(enrolment, by=trainee)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.OFFERED


def test_a_requirement_added_after_applying_is_checked_at_acceptance(coordinator, trainee):
    course = CourseFactory()
    enrolment = services.apply_for_run(make_run(course=course), trainee=trainee, answers=[])
    RequirementFactory(course=course, title="Registration", answer_type=AnswerType.TEXT, question="Number?")
    with pytest.raises(TrainingError, match="Registration: not answered."):
        services.accept_enrolment(enrolment, by=coordinator)


@pytest.mark.parametrize("status", [EnrolmentStatus.REJECTED, EnrolmentStatus.WITHDRAWN, EnrolmentStatus.ACCEPTED])
def test_accept_refused_from_a_final_or_accepted_state(coordinator, status):
    enrolment = EnrolmentFactory(status=status)
    with pytest.raises(TrainingError, match="This application cannot be accepted"):
        services.accept_enrolment(enrolment, by=coordinator)


def test_no_place_is_given_on_a_cancelled_run(coordinator):
    enrolment = EnrolmentFactory(run=make_run(status=RunStatus.CANCELLED))
    with pytest.raises(TrainingError, match="is cancelled; no places can be given"):
        services.accept_enrolment(enrolment, by=coordinator)


def test_reject_needs_a_reason_the_applicant_sees(coordinator, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory()
    with pytest.raises(TrainingError, match="Give a reason"):
        services.reject_enrolment(enrolment, by=coordinator, reason="   ")

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_enrolment(enrolment, by=coordinator, reason="The course needs two years' work with adults.")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REJECTED
    assert enrolment.rejection_reason == "The course needs two years' work with adults."
    assert "The course needs two years' work with adults." in mail.outbox[0].body
    assert "The course needs two years&#x27; work with adults." in mail.outbox[0].alternatives[0][0]
    assert entries_for(enrolment).get().data["reason"] == "The course needs two years' work with adults."

    with pytest.raises(TrainingError, match="cannot be rejected: it is not accepted"):
        services.reject_enrolment(enrolment, by=coordinator, reason="Again")


def test_waitlist_only_when_the_run_is_full(coordinator, django_capture_on_commit_callbacks):
    run = make_run(capacity=1)
    first, second = EnrolmentFactory(run=run), EnrolmentFactory(run=run)
    with pytest.raises(TrainingError, match="still has 1 free place"):
        services.waitlist_enrolment(first, by=coordinator)

    services.accept_enrolment(first, by=coordinator)
    third = EnrolmentFactory(run=run)
    with django_capture_on_commit_callbacks(execute=True):
        services.waitlist_enrolment(second, by=coordinator)
        services.waitlist_enrolment(third, by=coordinator)
    assert list(selectors.waiting_list(run)) == [second, third]
    assert [message.subject for message in mail.outbox] == [f"On the waiting list: {run.course.title}, {run.label}"] * 2
    assert "at number 2" in mail.outbox[1].body
    with pytest.raises(TrainingError, match="cannot be put on the waiting list: it is on the waiting list"):
        services.waitlist_enrolment(second, by=coordinator)


# The waiting list ------------------------------------------------------------------------


@pytest.fixture
def full_run_with_queue(coordinator):
    """A one-place run: one accepted trainee, two on the waiting list in order."""
    run = make_run(capacity=1, offer_days=3)
    holder = EnrolmentFactory(run=run)
    services.accept_enrolment(holder, by=coordinator)
    first, second = EnrolmentFactory(run=run), EnrolmentFactory(run=run)
    services.waitlist_enrolment(first, by=coordinator)
    services.waitlist_enrolment(second, by=coordinator)
    mail.outbox.clear()
    return run, holder, first, second


def refreshed(*objects):
    for obj in objects:
        obj.refresh_from_db()
    return objects


def test_a_freed_place_is_offered_to_the_first_waiting(full_run_with_queue, django_capture_on_commit_callbacks):
    run, holder, first, second = full_run_with_queue
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_enrolment(holder, by=holder.trainee)
    refreshed(run, holder, first, second)
    assert holder.status == EnrolmentStatus.WITHDRAWN
    assert first.status == EnrolmentStatus.OFFERED
    assert before + datetime.timedelta(days=3) <= first.offer_expires_at <= timezone.now() + datetime.timedelta(days=3)
    assert second.status == EnrolmentStatus.WAITLISTED
    assert run.status == RunStatus.FULL  # the offered place is held
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([holder.trainee.email], f"Withdrawn: {run.course.title}, {run.label}"),
        ([first.trainee.email], f"A place is offered to you: {run.course.title}, {run.label}"),
    ]
    assert "Your place will be offered to the next person on the waiting list." in mail.outbox[0].body
    assert actions_on(first)[0] == "trainings.enrolment.place_offered"


def test_accepting_an_offer_confirms_the_place(full_run_with_queue, django_capture_on_commit_callbacks):
    run, holder, first, _second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_offer(first, by=first.trainee)
    (first,) = refreshed(first)
    assert first.status == EnrolmentStatus.ACCEPTED
    assert "Thank you for accepting the place offered to you" in mail.outbox[-1].body
    assert selectors.places_taken(run) == 1


def test_an_expired_offer_cannot_be_accepted(full_run_with_queue):
    run, holder, first, _second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    first.refresh_from_db()
    first.offer_expires_at = timezone.now() - datetime.timedelta(minutes=1)
    first.save(update_fields=["offer_expires_at"])
    with pytest.raises(TrainingError, match="This offer expired on"):
        services.accept_offer(first, by=first.trainee)


def test_declining_passes_the_place_on(full_run_with_queue):
    run, holder, first, second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    services.decline_offer(first, by=first.trainee)
    refreshed(first, second)
    assert first.status == EnrolmentStatus.DECLINED
    assert second.status == EnrolmentStatus.OFFERED


def test_unanswered_offers_expire_and_pass_to_the_next(full_run_with_queue, django_capture_on_commit_callbacks):
    run, holder, first, second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    assert services.expire_overdue_offers() == 0

    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_overdue_offers(now=later) == 1
    refreshed(first, second)
    assert first.status == EnrolmentStatus.OFFER_EXPIRED
    assert second.status == EnrolmentStatus.OFFERED
    assert [m.to for m in mail.outbox] == [[first.trainee.email], [second.trainee.email]]
    assert mail.outbox[0].subject.startswith("The offered place has expired:")
    assert entries_for(first).filter(action="trainings.enrolment.offer_expired", actor=None).exists()
    # Expiring the same offer again is refused, and the job now finds nothing due.
    with pytest.raises(TrainingError, match="cannot be expired: it is offer expired"):
        services.expire_offer(first, now=later)
    assert services.expire_overdue_offers() == 0


def test_expire_offer_refuses_an_offer_still_running(full_run_with_queue):
    run, holder, first, _second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    with pytest.raises(TrainingError, match="has not expired yet"):
        services.expire_offer(first)


def test_a_freed_place_reopens_the_run_when_nobody_waits(coordinator):
    run = make_run(capacity=1)
    holder = EnrolmentFactory(run=run)
    services.accept_enrolment(holder, by=coordinator)
    run.refresh_from_db()
    assert run.status == RunStatus.FULL
    services.withdraw_enrolment(holder, by=holder.trainee)
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN


def test_raising_capacity_then_offering_free_places(full_run_with_queue):
    run, _holder, first, second = full_run_with_queue
    run.capacity = 3
    run.save()
    offered = services.offer_free_places(run)
    assert offered == [first, second]
    assert selectors.places_taken(run) == 3


def test_coordinator_may_offer_a_place_out_of_order(full_run_with_queue, coordinator):
    run, holder, first, second = full_run_with_queue
    with pytest.raises(TrainingError, match="has no free place"):
        services.offer_place(second, by=coordinator)
    run.capacity = 2
    run.save()
    services.offer_place(second, by=coordinator)
    refreshed(first, second)
    assert (first.status, second.status) == (EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED)


def test_a_place_cannot_be_withdrawn_here_once_the_training_started(coordinator):
    run = make_run(starts_in=-1, day_count=3)
    enrolment = EnrolmentFactory(run=run)
    services.accept_enrolment(enrolment, by=coordinator)
    with pytest.raises(TrainingError, match="The training has started"):
        services.withdraw_enrolment(enrolment, by=enrolment.trainee)


def test_withdrawn_cannot_be_withdrawn_again(trainee):
    enrolment = EnrolmentFactory(trainee=trainee, status=EnrolmentStatus.WITHDRAWN)
    with pytest.raises(TrainingError, match="cannot be withdrawn: it is withdrawn"):
        services.withdraw_enrolment(enrolment, by=trainee)


# Attendance, trainer days, completion ------------------------------------------------------


@pytest.fixture
def finished_run(coordinator):
    """A five-day run, non-consecutive, that ended yesterday, with two trainees on it."""
    dates = [in_days(-20), in_days(-19), in_days(-12), in_days(-11), in_days(-1)]
    run = make_run(dates=dates, capacity=5)
    enrolments = accepted(run, 2)
    return run, list(run.days.all()), enrolments


def marks_for(enrolments, days, absent=()):
    return {(e.pk, d.pk): (e.pk, d.pk) not in absent for e in enrolments for d in days}


def test_attendance_is_recorded_per_day_with_one_audit_entry(finished_run, coordinator):
    run, days, enrolments = finished_run
    absent = {(enrolments[1].pk, days[2].pk)}
    # Nine present marks; the one absence has nothing recorded before it, so it changes nothing.
    assert services.record_attendance(run, marks=marks_for(enrolments, days, absent), by=coordinator) == 9
    assert Attendance.objects.filter(present=True).count() == 9
    # Saving the same register again changes nothing and logs nothing.
    assert services.record_attendance(run, marks=marks_for(enrolments, days, absent), by=coordinator) == 0
    assert actions_on(run) == ["trainings.run.attendance_recorded"]
    # A correction.
    assert services.record_attendance(run, marks=marks_for(enrolments, days), by=coordinator) == 1
    assert Attendance.objects.filter(present=True).count() == 10


def test_attendance_cannot_be_recorded_for_a_future_day(coordinator):
    run = make_run(dates=[in_days(-1), in_days(5)])
    (enrolment,) = accepted(run, 1)
    future = run.days.get(date=in_days(5))
    with pytest.raises(TrainingError, match="has not happened yet"):
        services.record_attendance(run, marks={(enrolment.pk, future.pk): True}, by=coordinator)


def test_attendance_only_for_trainees_with_a_place(finished_run, coordinator):
    run, days, _ = finished_run
    applicant = EnrolmentFactory(run=run)
    with pytest.raises(TrainingError, match="accepted trainees"):
        services.record_attendance(run, marks={(applicant.pk, days[0].pk): True}, by=coordinator)


def test_completion_follows_the_course_attendance_rule(finished_run, coordinator):
    run, days, (full_timer, missed_one) = finished_run
    absent = {(missed_one.pk, days[0].pk)}
    services.record_attendance(run, marks=marks_for([full_timer, missed_one], days, absent), by=coordinator)

    results = services.complete_run(run, by=coordinator)
    assert results == {EnrolmentStatus.COMPLETED: 1, EnrolmentStatus.NOT_COMPLETED: 1}
    refreshed(full_timer, missed_one)
    assert full_timer.status == EnrolmentStatus.COMPLETED
    assert missed_one.status == EnrolmentStatus.NOT_COMPLETED
    assert entries_for(missed_one).get().data == {
        "from": "accepted",
        "days_attended": 4,
        "days_needed": 5,
        "days_in_run": 5,
    }

    # With an 80% rule, four days of five are enough; completion can be recomputed.
    run.course.completion_min_attendance_percent = 80
    run.course.save()
    services.complete_enrolment(missed_one, by=coordinator)
    missed_one.refresh_from_db()
    assert missed_one.status == EnrolmentStatus.COMPLETED


def test_completion_waits_for_the_last_day(coordinator):
    run = make_run(dates=[in_days(-2), in_days(3)])
    (enrolment,) = accepted(run, 1)
    with pytest.raises(TrainingError, match="has not finished yet"):
        services.complete_enrolment(enrolment, by=coordinator)


def test_trainer_days_are_recorded_and_counted_for_the_pathway(finished_run, coordinator):
    run, days, _ = finished_run
    lead = RunTrainerFactory(run=run, role=TrainerRole.LEAD)
    shadow = RunTrainerFactory(run=run, role=TrainerRole.SHADOWING)
    roles = {(lead.pk, day.pk): TrainerRole.LEAD for day in days}
    roles |= {(shadow.pk, day.pk): TrainerRole.SHADOWING for day in days[:3]}
    roles |= {(shadow.pk, day.pk): TrainerRole.SUPPORT for day in days[3:]}
    assert services.record_trainer_days(run, roles=roles, by=coordinator) == 10

    assert selectors.trainer_day_counts(shadow.trainer) == {"lead": 0, "support": 2, "shadowing": 3}
    assert selectors.trainer_day_counts(lead.trainer, course=run.course) == {"lead": 5, "support": 0, "shadowing": 0}
    assert selectors.trainer_day_counts(lead.trainer, course=CourseFactory()) == {
        "lead": 0,
        "support": 0,
        "shadowing": 0,
    }

    roles[(shadow.pk, days[0].pk)] = ""
    assert services.record_trainer_days(run, roles=roles, by=coordinator) == 1
    assert TrainerDay.objects.filter(run_trainer=shadow).count() == 4
    assert actions_on(run) == ["trainings.run.trainer_days_recorded"] * 2


def test_trainer_days_refuse_another_runs_trainer(finished_run, coordinator):
    run, days, _ = finished_run
    stranger = RunTrainerFactory()
    with pytest.raises(TrainingError, match="this run's trainers and days"):
        services.record_trainer_days(run, roles={(stranger.pk, days[0].pk): TrainerRole.LEAD}, by=coordinator)


def test_future_trainer_days_cannot_be_recorded_yet(coordinator):
    run = make_run(dates=[in_days(-1), in_days(10)])
    lead = RunTrainerFactory(run=run)
    past, future = run.days.all()
    with pytest.raises(TrainingError, match="has not happened yet: trainer days cannot be recorded for it"):
        services.record_trainer_days(
            run, roles={(lead.pk, day.pk): TrainerRole.LEAD for day in (past, future)}, by=coordinator
        )
    assert not TrainerDay.objects.exists()
    services.record_trainer_days(run, roles={(lead.pk, past.pk): TrainerRole.LEAD}, by=coordinator)
    assert selectors.trainer_day_counts(lead.trainer)["lead"] == 1


def test_trainer_days_on_a_cancelled_run_do_not_count(coordinator):
    held = make_run(dates=[in_days(-3), in_days(-2)])
    cancelled = make_run(dates=[in_days(-5), in_days(-4)])
    trainer = RunTrainerFactory(run=held, role=TrainerRole.SHADOWING).trainer
    on_cancelled = RunTrainerFactory(run=cancelled, trainer=trainer, role=TrainerRole.SHADOWING)
    for run_trainer in (held.trainers.get(), on_cancelled):
        services.record_trainer_days(
            run_trainer.run,
            roles={(run_trainer.pk, day.pk): TrainerRole.SHADOWING for day in run_trainer.run.days.all()},
            by=coordinator,
        )
    assert selectors.trainer_day_counts(trainer)["shadowing"] == 4
    services.change_run_status(cancelled, RunStatus.CANCELLED, by=coordinator, reason="Trainer unwell.")
    assert selectors.trainer_day_counts(trainer)["shadowing"] == 2
    assert selectors.trainer_day_counts(trainer, course=cancelled.course)["shadowing"] == 0


# The seeded catalogue --------------------------------------------------------------------


def test_catalogue_is_seeded_with_the_centres_courses_and_5_day_fees():
    assert list(Course.objects.values_list("title", flat=True)) == [
        "20-Day DIT Programme",
        "5-Day DIT Training",
        "DIT for Complex Care",
        "DIT Refresher",
        "CPD Day",
        "DIT and Mentalization",
        "DIT Supervisor training",
    ]
    five_day = Course.objects.get(slug="5-day-dit-training")
    assert five_day.accrediting_body == "British Psychoanalytic Council (BPC)"
    assert [(fee.description, fee.amount) for fee in five_day.fees.all()] == [
        ("Training, role-play included", Decimal("1500.00")),
        ("Supervision of two cases", Decimal("2400.00")),
        ("Recording (“tape”) assessments", Decimal("600.00")),
        ("Case study", Decimal("150.00")),
    ]
    assert sum(fee.amount for fee in five_day.fees.all()) == Decimal("4650.00")
    assert five_day.requirements.get(title="Supervised psychodynamic work").minimum == Decimal("150")


def test_a_task_expires_overdue_offers(full_run_with_queue):
    from trainings.tasks import expire_overdue_offers

    run, holder, first, second = full_run_with_queue
    services.withdraw_enrolment(holder, by=holder.trainee)
    Enrolment.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert expire_overdue_offers.delay().get() == 1
    refreshed(first, second)
    assert (first.status, second.status) == (EnrolmentStatus.OFFER_EXPIRED, EnrolmentStatus.OFFERED)


def test_requirement_validation_in_the_admin_form():
    from django.core.exceptions import ValidationError

    requirement = RequirementFactory.build(answer_type=AnswerType.NUMBER, minimum=None)
    with pytest.raises(ValidationError, match="needs a minimum"):
        requirement.clean()
    requirement = RequirementFactory.build(answer_type=AnswerType.CREDENTIAL, credential_kind="", evidence="required")
    with pytest.raises(ValidationError) as invalid:
        requirement.clean()
    assert set(invalid.value.message_dict) == {"credential_kind", "evidence"}
