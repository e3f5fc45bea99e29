"""Every state change of applications, places, attendance and trainer days.

Each public function runs in one transaction, locks the run row first (then the
enrolment) so decisions on one run are serialised, checks the current state, saves with
`update_fields`, writes one audit entry and sends its e-mail after commit. Views, admin
actions and tasks all call these; a refusal raises TrainingError with a message meant
for the person who asked.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from dit_portal.files import check_storage_quota, prepare_upload, private_storage, shown_name
from members.services import coordinator_addresses

from . import selectors
from .eligibility import eligibility_failures, missing_evidence, split_failures
from .enums import (
    ATTENDING_STATES,
    DECIDING_RUN_STATES,
    ENDED_WITHOUT_PLACE_STATES,
    PLACE_HOLDING_STATES,
    RUN_STATUS_CHANGES,
    EnrolmentAction,
    EnrolmentStatus,
    EvidenceRule,
    RunStatus,
    TrainerRole,
    states_that_can,
)
from .models import (
    ApplicationDigest,
    Attendance,
    CourseRun,
    Enrolment,
    EnrolmentAnswer,
    EntryRequirement,
    RunDay,
    TrainerDay,
)


class TrainingError(Exception):
    """A refused change. `failures` lists the entry requirements not met, if that is why."""

    def __init__(self, message, *, failures=()):
        self.failures = list(failures)
        if self.failures:
            message = f"{message} {' '.join(str(failure) for failure in self.failures)}"
        super().__init__(message)
        self.message = message


@dataclass
class DayInput:
    """One teaching day as a coordinator wants it: `day` is the existing RunDay (None for a
    new day); `remove` takes an existing day off the run."""

    day: RunDay | None
    date: date | None
    starts_at: time | None = None
    ends_at: time | None = None
    remove: bool = False


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


def _require(enrolment, action):
    """Refuse unless the transition table lets `enrolment` go through `action` now."""
    if not enrolment.can(action):
        raise TrainingError(f"This application cannot be {action.label}: it is {_state_label(enrolment)}.")


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
    """Refuse a place when a rule is not met; rules coordinators accept case by case do not
    refuse (the coordinators saw them with the application)."""
    requirements = list(run.course.requirements.all())
    failures, _case_by_case = split_failures(
        eligibility_failures(requirements, _answers_by_requirement(enrolment), enrolment.trainee)
    )
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
            **_place_details(enrolment),
            "enrolment": enrolment,
            "run": run,
            "course": run.course,
            "trainee": enrolment.trainee,
            "enrolment_url": reverse("trainings:enrolment_detail", kwargs={"pk": enrolment.pk}),
            "dashboard_url": reverse("trainings:my_trainings"),
            "run_url": reverse("trainings:run_detail", kwargs={"pk": run.pk}),
            "run_list_url": reverse("trainings:run_list"),
            "contact_url": reverse("contact"),
            **extra,
        },
        to=enrolment.trainee.email,
    )


def _place_details(enrolment):
    """What a trainee with a place needs: fee, how to pay, joining details, calendar file."""
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        return {}
    return {
        "fee": selectors.fee_for(enrolment.run),
        "payment_instructions": selectors.payment_instructions(enrolment.run.course),
        "joining_details": enrolment.run.joining_details,
        "calendar_url": reverse("trainings:enrolment_calendar", kwargs={"pk": enrolment.pk}),
    }


def _notify_coordinators(template, context):
    recipients = coordinator_addresses()
    if recipients:
        send_templated_email(f"trainings/emails/{template}", context, to=recipients)
    return recipients


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
    """Refuse when the training takes no application; True when applying joins its waiting
    list (every place taken: the next applicants are waitlisted, in order)."""
    if run.status == RunStatus.CANCELLED:
        raise TrainingError("This training has been cancelled.")
    if run.status not in (RunStatus.OPEN, RunStatus.FULL):
        raise TrainingError("Applications for this training are closed.")
    if run.deadline_passed:
        raise TrainingError(
            f"The application deadline for this training ({run.application_deadline:%-d %B %Y}) has passed."
        )
    if run.status == RunStatus.FULL:
        return True
    # A run read for a page carries its places taken (selectors.with_run_facts); a locked one does not.
    taken = run.places_taken if hasattr(run, "places_taken") else selectors.places_taken(run)
    return taken >= run.capacity


def application_refusal(run):
    """Why `run` takes no application now (a message), or None when it does."""
    try:
        _check_open_for_applications(run)
    except TrainingError as error:
        return error.message
    return None


def joins_waiting_list(run):
    """Whether an application made now goes onto the waiting list (the run is full)."""
    try:
        return _check_open_for_applications(run)
    except TrainingError:
        return False


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
            waitlist = _check_open_for_applications(run)
            standing = run.enrolments.filter(trainee=trainee).exclude(status__in=ENDED_WITHOUT_PLACE_STATES)
            if standing.exists():
                raise TrainingError(
                    "You have already applied for this training; see your trainings page for where it stands."
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
            failures, case_by_case = split_failures(
                eligibility_failures(requirements, records, trainee) + missing_evidence(requirements, uploads)
            )
            if failures:
                raise TrainingError("Your application does not meet the entry requirements.", failures=failures)
            try:
                check_storage_quota(trainee, sum(upload.size for upload in uploads.values()))
            except ValidationError as error:
                raise TrainingError(" ".join(error.messages)) from error

            position = None
            if waitlist:
                last = run.enrolments.filter(status=EnrolmentStatus.WAITLISTED).aggregate(last=Max("waitlist_position"))
                position = (last["last"] or 0) + 1
            try:
                with transaction.atomic():
                    enrolment = Enrolment.objects.create(
                        run=run,
                        trainee=trainee,
                        applicant_note=note.strip(),
                        status=EnrolmentStatus.WAITLISTED if waitlist else EnrolmentStatus.APPLIED,
                        waitlist_position=position,
                        case_by_case_reasons="\n".join(str(failure) for failure in case_by_case),
                    )
            except IntegrityError as error:
                raise TrainingError("You have already applied for this training.") from error
            enrolment.run = run
            for pk, record in records.items():
                record.enrolment = enrolment
                upload = uploads.get(pk)
                if upload is not None:
                    record.evidence_name = shown_name(upload.name)
                    record.evidence_size = upload.size
                    record.evidence.save(upload.name, upload, save=False)
                    stored_files.append(record.evidence.name)
                record.save()
            log_action(
                enrolment,
                "trainings.enrolment.applied",
                user=trainee,
                data={
                    "run": run.pk,
                    "answers": {record.question: record.display_value for record in records.values()},
                    "waitlist_position": position,
                    "case_by_case": [str(failure) for failure in case_by_case],
                },
            )
            if waitlist:
                places_ahead = selectors.waiting_list(run).filter(waitlist_position__lt=position).count()
                _notify(enrolment, "enrolment_waitlisted", position=places_ahead + 1, on_applying=True)
            else:
                _notify(enrolment, "application_received")
            if case_by_case:
                _notify_coordinators(
                    "case_by_case_application",
                    {
                        "enrolment": enrolment,
                        "run": run,
                        "course": run.course,
                        "trainee": trainee,
                        "reasons": [str(failure) for failure in case_by_case],
                        "admin_url": reverse("admin:trainings_enrolment_change", args=[enrolment.pk]),
                    },
                )
    except BaseException:
        storage = private_storage()
        for name in stored_files:
            storage.delete(name)
        raise
    return enrolment


def withdraw_enrolment(enrolment, *, by):
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require(enrolment, EnrolmentAction.WITHDRAW)
        if enrolment.status == EnrolmentStatus.ACCEPTED:
            first_day = _first_day(run)
            if first_day and first_day <= timezone.localdate():
                raise TrainingError(
                    "The training has started, so your place cannot be withdrawn here; please contact the coordinators."
                )
        previous = _end(enrolment, EnrolmentStatus.WITHDRAWN, "trainings.enrolment.withdrawn", by=by)
        _notify(enrolment, "enrolment_withdrawn", held_place=previous in PLACE_HOLDING_STATES)
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
            run.cancellation_reason = reason
            run.save(update_fields=["cancellation_reason", "updated_at"])
            in_play = run.enrolments.filter(status__in=states_that_can(EnrolmentAction.CANCEL_RUN)).select_for_update(
                of=("self",)
            )
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


def change_capacity(run, capacity, *, by):
    """Set a run's number of places. Fewer than the places already taken is refused; more
    places on a run with a waiting list are offered to it in order, and a full run with
    places left over opens again."""
    if capacity is None or capacity < 1:
        raise TrainingError("A run needs at least one place.")
    with transaction.atomic():
        run = _lock_run(run.pk)
        if run.status == RunStatus.CANCELLED:
            raise TrainingError(f"{run} is cancelled; its places cannot change.")
        taken = selectors.places_taken(run)
        if capacity < taken:
            raise TrainingError(
                f"{run}: {taken} places are taken (accepted or offered), so it cannot have fewer than {taken}."
            )
        previous = run.capacity
        if capacity == previous:
            return run, []
        run.capacity = capacity
        run.save(update_fields=["capacity", "updated_at"])
        log_action(run, "trainings.run.capacity_changed", user=by, data={"from": previous, "to": capacity})
        offered = _fill_free_places(run, by=by) if capacity > previous else []
        _sync_fullness(run, by=by)
    return run, offered


def _schedule(days):
    return [
        {
            "date": day.date.isoformat(),
            "starts_at": day.starts_at.strftime("%H:%M") if day.starts_at else "",
            "ends_at": day.ends_at.strftime("%H:%M") if day.ends_at else "",
        }
        for day in sorted(days, key=lambda day: day.date)
    ]


def change_run_days(run, *, days, by):
    """Add, move and remove a run's teaching days (`days`: DayInput). A day with attendance or
    trainer days recorded cannot be moved or removed. Everyone holding a place is e-mailed
    the new dates. Returns the number of days added, moved and removed."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        if run.status == RunStatus.CANCELLED:
            raise TrainingError(f"{run} is cancelled; its days cannot change.")
        current = {day.pk: day for day in run.days.all()}
        recorded = set(Attendance.objects.filter(day__run=run).values_list("day_id", flat=True).distinct()) | set(
            TrainerDay.objects.filter(day__run=run).values_list("day_id", flat=True).distinct()
        )
        kept, added, moved, removed = dict(current), [], [], []
        for given in days:
            if given.day is not None and given.day.pk not in current:
                raise TrainingError(f"{given.day} is not a day of {run}.")
            existing = current.get(given.day.pk) if given.day is not None else None
            if existing is None:
                if given.remove or given.date is None:
                    continue
                added.append(RunDay(run=run, date=given.date, starts_at=given.starts_at, ends_at=given.ends_at))
                continue
            unchanged = (existing.date, existing.starts_at, existing.ends_at) == (
                given.date,
                given.starts_at,
                given.ends_at,
            )
            if not given.remove and unchanged:
                continue
            if existing.pk in recorded and (given.remove or given.date != existing.date):
                raise TrainingError(
                    f"{existing} has attendance or trainer days recorded, so it cannot be "
                    f"{'removed' if given.remove else 'moved'}. Change its times only, or leave it."
                )
            if given.remove:
                removed.append(existing)
                del kept[existing.pk]
            else:
                if given.date is None:
                    raise TrainingError(f"{existing}: give the day's date, or mark it for removal.")
                moved.append(
                    RunDay(pk=existing.pk, run=run, date=given.date, starts_at=given.starts_at, ends_at=given.ends_at)
                )
                kept[existing.pk] = moved[-1]
        for day in [*moved, *added]:
            if day.starts_at and day.ends_at and day.ends_at <= day.starts_at:
                raise TrainingError(f"{day}: the day must end after it starts.")
        new_days = [*kept.values(), *added]
        dates = [day.date for day in new_days]
        if len(dates) != len(set(dates)):
            twice = sorted({d for d in dates if dates.count(d) > 1})
            raise TrainingError(f"{run} would have two days on {twice[0]:%-d %B %Y}; each date once.")
        if not new_days and run.status != RunStatus.DRAFT:
            raise TrainingError(f"{run} is {run.get_status_display().lower()}: it needs at least one day.")
        if not (added or moved or removed):
            return 0
        before = _schedule(current.values())
        # A day that changes date has nothing recorded on it (refused above): it is taken off
        # and put back under its id, so two days may swap dates without a clash on the way.
        redated = [day for day in moved if day.date != current[day.pk].date]
        retimed = [day for day in moved if day.date == current[day.pk].date]
        RunDay.objects.filter(pk__in=[day.pk for day in [*removed, *redated]]).delete()
        RunDay.objects.bulk_create([*redated, *added])
        RunDay.objects.bulk_update(retimed, ["starts_at", "ends_at"])
        after = _schedule(new_days)
        log_action(
            run,
            "trainings.run.days_changed",
            user=by,
            data={"from": before, "to": after, "added": len(added), "moved": len(moved), "removed": len(removed)},
        )
        holders = run.enrolments.filter(status__in=PLACE_HOLDING_STATES).exclude(
            status__in=(EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)
        )
        schedule = sorted(new_days, key=lambda day: day.date)
        for enrolment in holders.select_related("trainee"):
            enrolment.run = run
            _notify(enrolment, "run_days_changed", days=schedule, previous_days=before)
    return len(added) + len(moved) + len(removed)


# Coordinators' decisions ---------------------------------------------------------------


def accept_enrolment(enrolment, *, by):
    """Give the applicant a place, if one is free and they still meet the requirements."""
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require(enrolment, EnrolmentAction.ACCEPT)
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
        _require(enrolment, EnrolmentAction.REJECT)
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
        _require(enrolment, EnrolmentAction.WAITLIST)
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
        _require(enrolment, EnrolmentAction.OFFER)
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
        _require(enrolment, EnrolmentAction.ACCEPT_OFFER)
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
        _require(enrolment, EnrolmentAction.DECLINE_OFFER)
        _end(enrolment, EnrolmentStatus.DECLINED, "trainings.enrolment.offer_declined", by=by)
        _fill_free_places(run, by=None)
        _sync_fullness(run, by=None)
    return enrolment


def expire_offer(enrolment, *, now=None):
    """End an offer nobody answered in time and pass the place to the next in line."""
    now = now or timezone.now()
    with transaction.atomic():
        run, enrolment = _lock(enrolment)
        _require(enrolment, EnrolmentAction.EXPIRE_OFFER)
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
            if row is None and not present:
                continue  # nothing recorded yet reads as absent already: not a change
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
    """Record each trainer's role per day: `roles` maps (run trainer id, day id) to a role or ""
    (nothing recorded). Only days up to today can be marked."""
    today = timezone.localdate()
    with transaction.atomic():
        run = _lock_run(run.pk)
        days = {day.pk: day for day in run.days.all()}
        trainers = {rt.pk: rt for rt in run.trainers.select_related("trainer")}
        for (trainer_id, day_id), role in roles.items():
            if trainer_id not in trainers or day_id not in days:
                raise TrainingError("Trainer days can only be recorded for this run's trainers and days.")
            if role and role not in TrainerRole.values:
                raise TrainingError(f"Unknown trainer role: {role}.")
            if role and days[day_id].date > today:
                raise TrainingError(f"{days[day_id]} has not happened yet: trainer days cannot be recorded for it.")
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
        _require(enrolment, EnrolmentAction.COMPLETE)
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


# The coordinators' daily digest -----------------------------------------------------------


def send_application_digest(*, day=None):
    """E-mail the coordinators, once for `day` (default today), the applications made since
    the previous digest that still await a decision. The day is claimed by a unique row,
    so a second run the same day, or two workers at once, send nothing; no applications,
    no e-mail. Returns how many applications were listed."""
    day = day or timezone.localdate()
    with transaction.atomic():
        previous = ApplicationDigest.objects.filter(day__lt=day).order_by("-day").first()
        try:
            with transaction.atomic():
                digest = ApplicationDigest.objects.create(day=day)
        except IntegrityError:
            return 0  # already sent (or being sent) today
        awaiting = Enrolment.objects.filter(status=EnrolmentStatus.APPLIED).select_related("run__course", "trainee")
        if previous is not None:
            awaiting = awaiting.filter(applied_at__gte=previous.created_at)
        applications = list(awaiting.order_by("applied_at", "pk"))
        digest.applications = len(applications)
        digest.save(update_fields=["applications"])
        if not applications:
            return 0
        recipients = _notify_coordinators(
            "application_digest",
            {
                "day": day,
                "applications": [
                    (enrolment, reverse("admin:trainings_enrolment_change", args=[enrolment.pk]))
                    for enrolment in applications
                ],
                "admin_url": reverse("admin:trainings_enrolment_changelist") + "?status__exact=applied",
            },
        )
        log_action(
            digest,
            "trainings.digest.sent",
            data={"applications": [enrolment.pk for enrolment in applications], "to": recipients},
        )
    return len(applications)
