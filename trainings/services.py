"""Every state change of applications, places, attendance and trainer days.

Each public function runs in one transaction, locks the run row first (then the
enrolment) so decisions on one run are serialised, checks the current state, saves with
`update_fields`, writes one audit entry and sends its e-mail after commit. Views, admin
actions and tasks all call these; a refusal raises TrainingError with a message meant
for the person who asked.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from dit_portal.files import check_storage_quota, prepare_upload, private_storage

from . import selectors
from .eligibility import eligibility_failures, missing_evidence
from .enums import (
    ACTIVE_STATES,
    ATTENDING_STATES,
    DECIDABLE_STATES,
    DECIDING_RUN_STATES,
    ENDED_WITHOUT_PLACE_STATES,
    PLACE_HOLDING_STATES,
    RUN_STATUS_CHANGES,
    EnrolmentStatus,
    EvidenceRule,
    RunStatus,
    TrainerRole,
)
from .models import Attendance, CourseRun, Enrolment, EnrolmentAnswer, EntryRequirement, TrainerDay


class TrainingError(Exception):
    """A refused change. `failures` lists the entry requirements not met, if that is why."""

    def __init__(self, message, *, failures=()):
        self.failures = list(failures)
        if self.failures:
            message = f"{message} {' '.join(str(failure) for failure in self.failures)}"
        super().__init__(message)
        self.message = message


@dataclass
class AnswerInput:
    """What the applicant gave for one entry requirement."""

    requirement: EntryRequirement
    yes_no: bool | None = None
    number: Decimal | None = None
    text: str = ""
    registration_body: str = ""
    evidence: UploadedFile | None = None


# Locking and shared rules -------------------------------------------------------------


def _lock_run(run_id):
    return CourseRun.objects.select_for_update(of=("self",)).select_related("course").get(pk=run_id)


def _lock_enrolment(enrolment_id):
    return Enrolment.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=enrolment_id)


def _lock(enrolment):
    """Lock the enrolment's run, then the enrolment; always in this order."""
    run = _lock_run(enrolment.run_id)
    enrolment = _lock_enrolment(enrolment.pk)
    enrolment.run = run
    return run, enrolment


def _state_label(enrolment):
    return enrolment.get_status_display().lower()


def _require_state(enrolment, states, doing):
    if enrolment.status not in states:
        raise TrainingError(f"This application cannot be {doing}: it is {_state_label(enrolment)}.")


def _require_deciding_run(run):
    if run.status not in DECIDING_RUN_STATES:
        raise TrainingError(f"{run} is {run.get_status_display().lower()}; no places can be given on it.")


def _first_day(run):
    return run.days.order_by("date").values_list("date", flat=True).first()


def _last_day(run):
    return run.days.order_by("-date").values_list("date", flat=True).first()


def _answers_by_requirement(enrolment):
    return {answer.requirement_id: answer for answer in enrolment.answers.all() if answer.requirement_id}


def _check_eligible(enrolment, run):
    requirements = list(run.course.requirements.all())
    failures = eligibility_failures(requirements, _answers_by_requirement(enrolment), enrolment.trainee)
    if failures:
        raise TrainingError(
            f"{enrolment.trainee} does not meet the entry requirements of {run.course}:", failures=failures
        )


def _set_run_status(run, status, *, by, reason):
    previous = run.status
    run.status = status
    run.save(update_fields=["status", "updated_at"])
    log_action(run, "trainings.run.status_changed", user=by, data={"from": previous, "to": status, "reason": reason})


def _sync_fullness(run, *, by):
    """Open <-> full follows the places taken; other states are the coordinators' choice."""
    taken = selectors.places_taken(run)
    if run.status == RunStatus.OPEN and taken >= run.capacity:
        _set_run_status(run, RunStatus.FULL, by=by, reason="every place is taken")
    elif (
        run.status == RunStatus.FULL
        and taken < run.capacity
        and not run.deadline_passed
        and not selectors.waiting_list(run).exists()
    ):
        _set_run_status(run, RunStatus.OPEN, by=by, reason="a place is free")


def _notify(enrolment, template, **extra):
    run = enrolment.run
    send_templated_email(
        f"trainings/emails/{template}",
        {
            "enrolment": enrolment,
            "run": run,
            "course": run.course,
            "trainee": enrolment.trainee,
            "enrolment_url": reverse("trainings:enrolment_detail", kwargs={"pk": enrolment.pk}),
            "dashboard_url": reverse("trainings:my_trainings"),
            "run_url": reverse("trainings:run_detail", kwargs={"pk": run.pk}),
            "run_list_url": reverse("trainings:run_list"),
            **extra,
        },
        to=enrolment.trainee.email,
    )


def _offer_locked(run, enrolment, *, by):
    """Offer a free place to a waitlisted enrolment; the run and enrolment are locked."""
    now = timezone.now()
    enrolment.status = EnrolmentStatus.OFFERED
    enrolment.offered_at = now
    enrolment.offer_expires_at = now + timedelta(days=run.offer_days)
    enrolment.waitlist_position = None
    enrolment.save(update_fields=["status", "offered_at", "offer_expires_at", "waitlist_position"])
    log_action(
        enrolment,
        "trainings.enrolment.place_offered",
        user=by,
        data={"expires_at": enrolment.offer_expires_at},
    )
    _notify(enrolment, "place_offered")


def _fill_free_places(run, *, by):
    """Offer each free place to the next on the waiting list, in order; run is locked."""
    offered = []
    if run.status not in DECIDING_RUN_STATES:
        return offered
    free = run.capacity - selectors.places_taken(run)
    if free <= 0:
        return offered
    for candidate in selectors.waiting_list(run)[:free]:
        enrolment = _lock_enrolment(candidate.pk)
        enrolment.run = run
        _offer_locked(run, enrolment, by=by)
        offered.append(enrolment)
    return offered


def _end(enrolment, status, action, *, by, data=None):
    previous = enrolment.status
    enrolment.status = status
    enrolment.ended_at = timezone.now()
    enrolment.waitlist_position = None
    enrolment.save(update_fields=["status", "ended_at", "waitlist_position"])
    log_action(enrolment, action, user=by, data={"from": previous, **(data or {})})
    return previous


# Applying ------------------------------------------------------------------------------


def _check_open_for_applications(run):
    if run.status == RunStatus.FULL:
        raise TrainingError("This run is full: it is not taking applications.")
    if run.status == RunStatus.CANCELLED:
        raise TrainingError("This run has been cancelled.")
    if run.status != RunStatus.OPEN:
        raise TrainingError("Applications for this run are closed.")
    if run.deadline_passed:
        raise TrainingError(f"The application deadline for this run ({run.application_deadline:%-d %B %Y}) has passed.")
    if selectors.places_taken(run) >= run.capacity:
        raise TrainingError("This run is full: it is not taking applications.")


def application_refusal(run):
    """Why `run` takes no application now (a message), or None when it does."""
    try:
        _check_open_for_applications(run)
    except TrainingError as error:
        return error.message
    return None


def _validated_upload(requirement, upload):
    """The file to store for `requirement` (pictures re-encoded), or a TrainingError."""
    try:
        return prepare_upload(upload)
    except ValidationError as error:
        raise TrainingError(f"{requirement.title}: {' '.join(error.messages)}") from error


def apply_for_run(run, *, trainee, answers, note=""):
    """`trainee` applies for `run` with `answers` (AnswerInput). Nothing is stored on refusal."""
    stored_files = []
    try:
        with transaction.atomic():
            run = _lock_run(run.pk)
            _check_open_for_applications(run)
            standing = run.enrolments.filter(trainee=trainee).exclude(status__in=ENDED_WITHOUT_PLACE_STATES)
            if standing.exists():
                raise TrainingError(
                    "You have already applied for this run; see your trainings page for where it stands."
                )

            requirements = list(run.course.requirements.all())
            inputs = {
                given.requirement.pk: given
                for given in answers
                if given.requirement.course_id == run.course_id and given.requirement.is_asked
            }
            uploads = {}
            for requirement in requirements:
                given = inputs.get(requirement.pk)
                if given and given.evidence and requirement.evidence != EvidenceRule.NONE:
                    uploads[requirement.pk] = _validated_upload(requirement, given.evidence)
            records = {
                pk: EnrolmentAnswer(
                    requirement=given.requirement,
                    question=given.requirement.title,
                    yes_no=given.yes_no,
                    number=given.number,
                    text=(given.text or "").strip(),
                    registration_body=given.registration_body or "",
                )
                for pk, given in inputs.items()
            }
            failures = eligibility_failures(requirements, records, trainee) + missing_evidence(requirements, uploads)
            if failures:
                raise TrainingError("Your application does not meet the entry requirements.", failures=failures)
            try:
                check_storage_quota(trainee, sum(upload.size for upload in uploads.values()))
            except ValidationError as error:
                raise TrainingError(" ".join(error.messages)) from error

            try:
                with transaction.atomic():
                    enrolment = Enrolment.objects.create(
                        run=run, trainee=trainee, applicant_note=note.strip(), status=EnrolmentStatus.APPLIED
                    )
            except IntegrityError as error:
                raise TrainingError("You have already applied for this run.") from error
            enrolment.run = run
            for pk, record in records.items():
                record.enrolment = enrolment
                upload = uploads.get(pk)
                if upload is not None:
                    record.evidence_name = upload.name[:255]
                    record.evidence_size = upload.size
                    record.evidence.save(upload.name, upload, save=False)
                    stored_files.append(record.evidence.name)
                record.save()
            log_action(
                enrolment,
                "trainings.enrolment.applied",
                user=trainee,
                data={"run": run.pk, "answers": {record.question: record.display_value for record in records.values()}},
            )
            _notify(enrolment, "application_received")
    except BaseException:
        storage = private_storage()
        for name in stored_files:
            storage.delete(name)
        raise
    return enrolment


def withdraw_enrolment(enrolment, *, by):
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, ACTIVE_STATES, "withdrawn")
        if enrolment.status == EnrolmentStatus.ACCEPTED:
            first_day = _first_day(run)
            if first_day and first_day <= timezone.localdate():
                raise TrainingError(
                    "The training has started, so your place cannot be withdrawn here; please contact the coordinators."
                )
        previous = _end(enrolment, EnrolmentStatus.WITHDRAWN, "trainings.enrolment.withdrawn", by=by)
        if previous in PLACE_HOLDING_STATES:
            _fill_free_places(run, by=None)
        _sync_fullness(run, by=None)
    return enrolment


# Run status -----------------------------------------------------------------------------


def change_run_status(run, status, *, by, reason=""):
    """Open, close or cancel a run. Cancelling ends every application still in play and
    e-mails each applicant the reason; opening a run whose places are taken makes it full."""
    reason = reason.strip()
    with transaction.atomic():
        run = _lock_run(run.pk)
        if status not in RUN_STATUS_CHANGES[run.status]:
            raise TrainingError(
                f"{run} is {run.get_status_display().lower()}; it cannot be changed to "
                f"“{RunStatus(status).label.lower()}”."
            )
        target = status
        if status == RunStatus.OPEN:
            if run.deadline_passed:
                raise TrainingError(f"{run}: the application deadline has passed; move it before opening the run.")
            if not run.days.exists():
                raise TrainingError(f"{run}: add the run's days before opening it.")
            if selectors.places_taken(run) >= run.capacity:
                target = RunStatus.FULL
        if status == RunStatus.CANCELLED and not reason:
            raise TrainingError(f"{run}: give a reason for cancelling; every applicant is sent it.")
        _set_run_status(run, target, by=by, reason=reason)
        if status == RunStatus.CANCELLED:
            in_play = run.enrolments.filter(status__in=ACTIVE_STATES).select_for_update(of=("self",))
            for enrolment in in_play.select_related("trainee"):
                enrolment.run = run
                _end(
                    enrolment,
                    EnrolmentStatus.RUN_CANCELLED,
                    "trainings.enrolment.run_cancelled",
                    by=by,
                    data={"reason": reason},
                )
                _notify(enrolment, "run_cancelled", reason=reason)
    return run


# Coordinators' decisions ---------------------------------------------------------------


def accept_enrolment(enrolment, *, by):
    """Give the applicant a place, if one is free and they still meet the requirements."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, DECIDABLE_STATES, "accepted")
        _require_deciding_run(run)
        taken = selectors.places_taken(run)
        if taken >= run.capacity:
            raise TrainingError(
                f"{run} is full ({taken} of {run.capacity} places taken): {enrolment.trainee} cannot be accepted. "
                "Put the application on the waiting list instead."
            )
        _check_eligible(enrolment, run)
        previous = enrolment.status
        enrolment.status = EnrolmentStatus.ACCEPTED
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = by
        enrolment.waitlist_position = None
        enrolment.save(update_fields=["status", "decided_at", "decided_by", "waitlist_position"])
        log_action(
            enrolment,
            "trainings.enrolment.accepted",
            user=by,
            data={"from": previous, "places_taken": taken + 1, "capacity": run.capacity},
        )
        _sync_fullness(run, by=by)
        _notify(enrolment, "enrolment_accepted")
    return enrolment


def reject_enrolment(enrolment, *, by, reason):
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError("Give a reason for not accepting the application: the applicant will see it.")
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, DECIDABLE_STATES, "rejected")
        previous = enrolment.status
        enrolment.status = EnrolmentStatus.REJECTED
        enrolment.rejection_reason = reason
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = by
        enrolment.waitlist_position = None
        enrolment.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by", "waitlist_position"])
        log_action(enrolment, "trainings.enrolment.rejected", user=by, data={"from": previous, "reason": reason})
        if previous == EnrolmentStatus.WAITLISTED:
            _sync_fullness(run, by=by)
        _notify(enrolment, "enrolment_rejected")
    return enrolment


def waitlist_enrolment(enrolment, *, by):
    """Put an application on the run's waiting list, behind everyone already on it."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, (EnrolmentStatus.APPLIED,), "put on the waiting list")
        _require_deciding_run(run)
        free = run.capacity - selectors.places_taken(run)
        if free > 0:
            raise TrainingError(
                f"{run} still has {free} free place{'s' if free != 1 else ''}: "
                f"accept {enrolment.trainee} or decline the application instead of waitlisting it."
            )
        last = run.enrolments.filter(status=EnrolmentStatus.WAITLISTED).aggregate(last=Max("waitlist_position"))
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlist_position = (last["last"] or 0) + 1
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = by
        enrolment.save(update_fields=["status", "waitlist_position", "decided_at", "decided_by"])
        position = selectors.waiting_list(run).filter(waitlist_position__lt=enrolment.waitlist_position).count() + 1
        log_action(enrolment, "trainings.enrolment.waitlisted", user=by, data={"position": position})
        _notify(enrolment, "enrolment_waitlisted", position=position)
    return enrolment


# Offers from the waiting list ----------------------------------------------------------


def offer_place(enrolment, *, by):
    """Offer a free place to this waitlisted applicant, ahead of the list order."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, (EnrolmentStatus.WAITLISTED,), "offered a place")
        _require_deciding_run(run)
        taken = selectors.places_taken(run)
        if taken >= run.capacity:
            raise TrainingError(f"{run} has no free place to offer ({taken} of {run.capacity} taken).")
        _offer_locked(run, enrolment, by=by)
        _sync_fullness(run, by=by)
    return enrolment


def offer_free_places(run, *, by=None):
    """Offer every free place of `run` to the waiting list, in order (after a capacity rise)."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        offered = _fill_free_places(run, by=by)
        _sync_fullness(run, by=by)
    return offered


def accept_offer(enrolment, *, by):
    """The applicant takes up the place offered to them, before the offer expires."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, (EnrolmentStatus.OFFERED,), "accepted")
        if enrolment.offer_expires_at <= timezone.now():
            raise TrainingError(
                f"This offer expired on {timezone.localtime(enrolment.offer_expires_at):%-d %B %Y at %H:%M}."
            )
        _check_eligible(enrolment, run)
        enrolment.status = EnrolmentStatus.ACCEPTED
        enrolment.save(update_fields=["status"])
        log_action(enrolment, "trainings.enrolment.offer_accepted", user=by)
        _notify(enrolment, "enrolment_accepted", from_offer=True)
    return enrolment


def decline_offer(enrolment, *, by):
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, (EnrolmentStatus.OFFERED,), "declined")
        _end(enrolment, EnrolmentStatus.DECLINED, "trainings.enrolment.offer_declined", by=by)
        _fill_free_places(run, by=None)
        _sync_fullness(run, by=None)
    return enrolment


def expire_offer(enrolment, *, now=None):
    """End an offer nobody answered in time and pass the place to the next in line."""
    now = now or timezone.now()
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, (EnrolmentStatus.OFFERED,), "expired")
        if enrolment.offer_expires_at > now:
            raise TrainingError("This offer has not expired yet.")
        _end(
            enrolment,
            EnrolmentStatus.OFFER_EXPIRED,
            "trainings.enrolment.offer_expired",
            by=None,
            data={"expired_at": enrolment.offer_expires_at},
        )
        _notify(enrolment, "offer_expired")
        _fill_free_places(run, by=None)
        _sync_fullness(run, by=None)
    return enrolment


def expire_overdue_offers(*, now=None):
    """Expire every overdue offer, each in its own transaction; returns how many expired."""
    now = now or timezone.now()
    overdue = Enrolment.objects.filter(status=EnrolmentStatus.OFFERED, offer_expires_at__lte=now)
    expired = 0
    for enrolment in overdue.order_by("offer_expires_at", "pk"):
        try:
            expire_offer(enrolment, now=now)
        except TrainingError:
            continue  # answered or expired by someone else meanwhile
        expired += 1
    return expired


# Attendance, trainer days and completion -----------------------------------------------


def record_attendance(run, *, marks, by):
    """Record who was present: `marks` maps (enrolment id, day id) to True or False."""
    today = timezone.localdate()
    with transaction.atomic():
        run = _lock_run(run.pk)
        days = {day.pk: day for day in run.days.all()}
        enrolments = {e.pk: e for e in run.enrolments.filter(status__in=ATTENDING_STATES).select_related("trainee")}
        for enrolment_id, day_id in marks:
            if day_id not in days or enrolment_id not in enrolments:
                raise TrainingError("Attendance can only be recorded for this run's days and accepted trainees.")
            if days[day_id].date > today and marks[(enrolment_id, day_id)]:
                raise TrainingError(f"{days[day_id]} has not happened yet: attendance cannot be recorded for it.")
        existing = {
            (row.enrolment_id, row.day_id): row
            for row in Attendance.objects.filter(enrolment__in=enrolments.keys(), day__in=days.keys())
        }
        changes, created, updated = [], [], []
        for key, present in marks.items():
            if days[key[1]].date > today:
                continue
            row = existing.get(key)
            if row is None:
                created.append(Attendance(enrolment_id=key[0], day_id=key[1], present=present, recorded_by=by))
            elif row.present != present:
                row.present, row.recorded_by = present, by
                updated.append(row)
            else:
                continue
            changes.append({"trainee": str(enrolments[key[0]].trainee), "day": days[key[1]].date, "present": present})
        Attendance.objects.bulk_create(created)
        now = timezone.now()
        for row in updated:
            row.recorded_at = now
        Attendance.objects.bulk_update(updated, ["present", "recorded_by", "recorded_at"])
        if changes:
            log_action(run, "trainings.run.attendance_recorded", user=by, data={"changes": changes})
    return len(changes)


def record_trainer_days(run, *, roles, by):
    """Record each trainer's role per day: `roles` maps (run trainer id, day id) to a role or ""."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        days = {day.pk: day for day in run.days.all()}
        trainers = {rt.pk: rt for rt in run.trainers.select_related("trainer")}
        for (trainer_id, day_id), role in roles.items():
            if trainer_id not in trainers or day_id not in days:
                raise TrainingError("Trainer days can only be recorded for this run's trainers and days.")
            if role and role not in TrainerRole.values:
                raise TrainingError(f"Unknown trainer role: {role}.")
        existing = {(row.run_trainer_id, row.day_id): row for row in TrainerDay.objects.filter(run_trainer__run=run)}
        changes = []
        for key, role in roles.items():
            row = existing.get(key)
            current = row.role if row else ""
            if current == role:
                continue
            if not role:
                row.delete()
            elif row is None:
                TrainerDay.objects.create(run_trainer_id=key[0], day_id=key[1], role=role)
            else:
                row.role = role
                row.save(update_fields=["role"])
            changes.append(
                {"trainer": str(trainers[key[0]].trainer), "day": days[key[1]].date, "from": current, "to": role}
            )
        if changes:
            log_action(run, "trainings.run.trainer_days_recorded", user=by, data={"changes": changes})
    return len(changes)


def complete_enrolment(enrolment, *, by):
    """Completed or not, from the days attended and the course's attendance rule."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require_state(enrolment, ATTENDING_STATES, "completed")
        last_day = _last_day(run)
        if last_day is None or last_day > timezone.localdate():
            raise TrainingError(
                f"{run} has not finished yet: completion is recorded after its last day"
                + (f" ({last_day:%-d %B %Y})." if last_day else ".")
            )
        total = run.days.count()
        attended = enrolment.attendance.filter(present=True, day__run=run).count()
        needed = run.course.days_needed_to_complete(total)
        status = EnrolmentStatus.COMPLETED if attended >= needed else EnrolmentStatus.NOT_COMPLETED
        if status == enrolment.status:
            return enrolment
        _end(
            enrolment,
            status,
            f"trainings.enrolment.{status}",
            by=by,
            data={"days_attended": attended, "days_needed": needed, "days_in_run": total},
        )
    return enrolment


def complete_run(run, *, by):
    """Record completion for every trainee on the register of a finished run."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        results = {EnrolmentStatus.COMPLETED: 0, EnrolmentStatus.NOT_COMPLETED: 0}
        for enrolment in run.enrolments.filter(status__in=ATTENDING_STATES).order_by("pk"):
            enrolment = complete_enrolment(enrolment, by=by)
            results[enrolment.status] += 1
    return results
