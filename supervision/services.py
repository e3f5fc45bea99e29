"""Every state change of the supervision ledger and the supervisor directory.

Each public function runs in one transaction; a change to an existing row re-reads it with
`select_for_update()` first, checks the current state against the one transition table in
`enums.py` (SESSION_TRANSITIONS, RATING_TRANSITIONS), saves with `update_fields`, writes
one audit entry and sends its e-mail after commit. Input is validated here as well as in
the forms (the admin and other callers do not pass through the forms): a refusal raises
SupervisionError with a message meant for the person who asked, and `errors` by field
when a form can show them next to the fields. Nothing is saved on a refusal.

Decisions on a session, a recording or a case are made by the supervisor named on it, or
by staff with the model's change permission (coordinators correcting the ledger in the
admin); anyone else is refused.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email

from . import selectors
from .anonymity import check_anonymous, check_case_code
from .enums import (
    RATING_TRANSITIONS,
    SESSION_TRANSITIONS,
    TRAINING_PURPOSES,
    RecordingRating,
    SessionStatus,
)
from .models import (
    SESSION_MAX_HOURS,
    Case,
    CpdRecord,
    Recording,
    SupervisionSession,
    SupervisorListing,
    TherapyHours,
)

CPD_MAX_HOURS = 100


class SupervisionError(Exception):
    """A refused change; `errors` maps form fields to messages where that is known."""

    def __init__(self, message, *, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def _refuse_invalid(error):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    messages = [message for field_messages in errors.values() for message in field_messages]
    raise SupervisionError(" ".join(messages), errors=errors) from error


def _long_date(day):
    return day.strftime("%-d %B %Y")


# Field rules, shared with the forms -----------------------------------------------------


def check_hours(hours, *, maximum=SESSION_MAX_HOURS, what="A session"):
    if hours is None:
        raise ValidationError("Enter the hours.", code="required")
    if hours <= 0:
        raise ValidationError("Hours must be more than 0.", code="not_positive")
    if hours > maximum:
        raise ValidationError(f"{what} cannot be longer than {maximum:g} hours.", code="too_long")


def check_not_future(day, *, what="This date"):
    if day > timezone.localdate():
        raise ValidationError(f"{what} is in the future: log it on or after the day it happened.", code="future")


def check_session(practitioner, *, supervisor, date, hours, cases=(), note=""):
    """Every rule of a supervision session; raises ValidationError by field."""
    errors = {}

    def collect(field, check, *args, **kwargs):
        try:
            check(*args, **kwargs)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    collect("hours", check_hours, hours)
    if date is None:
        errors["date"] = ["Enter the date of the session."]
    else:
        collect("date", check_not_future, date, what="This session")
        start = selectors.training_start(practitioner)
        if start is not None and date < start and "date" not in errors:
            errors["date"] = [
                f"This session is before your DIT training began ({_long_date(start)}); "
                "only supervision from the start of your training can be logged."
            ]
    if supervisor is None:
        errors["supervisor"] = ["Choose your supervisor."]
    elif supervisor.pk == practitioner.pk:
        errors["supervisor"] = ["You cannot name yourself as your supervisor."]
    elif not selectors.supervisor_choices().filter(pk=supervisor.pk).exists():
        errors["supervisor"] = [f"{supervisor} is not a DIT supervisor on the portal."]
    if any(case.practitioner_id != practitioner.pk for case in cases):
        errors["cases"] = ["Choose only your own cases."]
    collect("note", check_anonymous, note)
    if errors:
        raise ValidationError(errors)


def check_case(practitioner, *, code, purpose, supervisor, started_on, ended_on=None, note="", case=None):
    errors = {}
    try:
        check_case_code(code)
    except ValidationError as error:
        errors["code"] = error.messages
    else:
        taken = Case.objects.filter(practitioner=practitioner, code__iexact=code)
        if case is not None:
            taken = taken.exclude(pk=case.pk)
        if taken.exists():
            errors["code"] = [f"You already have a case with the code {code}; choose another."]
    if purpose in TRAINING_PURPOSES and supervisor is None:
        errors["supervisor"] = ["A training case needs its DIT supervisor named."]
    if supervisor is not None:
        if supervisor.pk == practitioner.pk:
            errors["supervisor"] = ["You cannot name yourself as the case's supervisor."]
        elif not selectors.supervisor_choices().filter(pk=supervisor.pk).exists():
            errors["supervisor"] = [f"{supervisor} is not a DIT supervisor on the portal."]
    if started_on is None:
        errors["started_on"] = ["Enter the date of the first session."]
    else:
        try:
            check_not_future(started_on, what="The first session")
        except ValidationError as error:
            errors["started_on"] = error.messages
        if ended_on is not None and ended_on < started_on:
            errors["ended_on"] = ["The last session cannot be before the first."]
    if ended_on is not None and "ended_on" not in errors:
        try:
            check_not_future(ended_on, what="The last session")
        except ValidationError as error:
            errors["ended_on"] = error.messages
    try:
        check_anonymous(note)
    except ValidationError as error:
        errors["note"] = error.messages
    if errors:
        raise ValidationError(errors)


def check_dated_on_case(case, *, date, what):
    if date is None:
        raise ValidationError({"date": ["Enter the date."]})
    try:
        check_not_future(date, what=what)
    except ValidationError as error:
        raise ValidationError({"date": error.messages}) from error
    if date < case.started_on:
        raise ValidationError({"date": [f"{what} is before the case's first session ({_long_date(case.started_on)})."]})
    if case.ended_on and date > case.ended_on:
        raise ValidationError({"date": [f"{what} is after the case's last session ({_long_date(case.ended_on)})."]})


# Notifications ------------------------------------------------------------------------------


def _notify_supervisor(session):
    send_templated_email(
        "supervision/emails/session_awaiting",
        {"session": session, "recipient": session.supervisor, "page_url": reverse("supervision:supervisor")},
        to=session.supervisor.email,
    )


def _notify_practitioner(session, template):
    send_templated_email(
        f"supervision/emails/{template}",
        {"session": session, "recipient": session.practitioner, "page_url": reverse("supervision:ledger")},
        to=session.practitioner.email,
    )


def _may_decide(named_supervisor_id, by, model):
    return by is not None and (
        by.pk == named_supervisor_id or by.has_perm(f"supervision.change_{model._meta.model_name}")
    )


def _on_behalf(supervisor, by, reason):
    """Whether `by` decides for the named `supervisor` (a coordinator), and why: a reason is
    required then, kept on the row and in the audit entry, and the supervisor is e-mailed."""
    if by.pk == supervisor.pk:
        return False, ""
    reason = (reason or "").strip()
    if not reason:
        raise SupervisionError(
            f"You are deciding for {supervisor}: say why (they are e-mailed the reason).",
            errors={"on_behalf_reason": ["Say why you decide for the supervisor."]},
        )
    try:
        check_anonymous(reason)
    except ValidationError as error:
        raise SupervisionError(error.messages[0], errors={"on_behalf_reason": error.messages}) from error
    return True, reason


def _notify_supervisor_of_decision(supervisor, *, by, what, reason):
    send_templated_email(
        "supervision/emails/decided_on_behalf",
        {
            "recipient": supervisor,
            "by": by,
            "what": what,
            "reason": reason,
            "page_url": reverse("supervision:supervisor"),
        },
        to=supervisor.email,
    )


# Cases and therapy hours --------------------------------------------------------------------


def log_case(practitioner, *, code, purpose, started_on, supervisor=None, ended_on=None, seen_in_person=False, note=""):
    """A new anonymised case of `practitioner`."""
    code = (code or "").strip()
    try:
        check_case(
            practitioner,
            code=code,
            purpose=purpose,
            supervisor=supervisor,
            started_on=started_on,
            ended_on=ended_on,
            note=note,
        )
    except ValidationError as error:
        _refuse_invalid(error)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                practitioner=practitioner,
                code=code,
                purpose=purpose,
                supervisor=supervisor,
                started_on=started_on,
                ended_on=ended_on,
                seen_in_person=seen_in_person,
                note=note,
            )
            log_action(
                case,
                "supervision.case.logged",
                user=practitioner,
                data={"purpose": purpose, "supervisor": supervisor.pk if supervisor else None},
            )
    except IntegrityError as error:
        raise SupervisionError(
            f"You already have a case with the code {code}; choose another.", errors={"code": ["Already used."]}
        ) from error
    return case


def end_case(case, *, ended_on, by):
    """The practitioner records the case's last session (once, or to correct it)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if by.pk != case.practitioner_id:
            raise SupervisionError("Only the practitioner records when their case ended.")
        if case.closely_supervised:
            raise SupervisionError("This case has been confirmed as closely supervised to the end; it cannot change.")
        try:
            if ended_on is None:
                raise ValidationError({"ended_on": ["Enter the date of the last session."]})
            check_case(
                case.practitioner,
                code=case.code,
                purpose=case.purpose,
                supervisor=case.supervisor,
                started_on=case.started_on,
                ended_on=ended_on,
                note=case.note,
                case=case,
            )
        except ValidationError as error:
            _refuse_invalid(error)
        previous = case.ended_on
        case.ended_on = ended_on
        case.save(update_fields=["ended_on"])
        log_action(case, "supervision.case.ended", user=by, data={"from": previous, "to": ended_on})
    return case


def log_therapy_hours(case, *, date, hours, by):
    """DIT therapy hours given on `date` to `case`, logged by its practitioner."""
    if by.pk != case.practitioner_id:
        raise SupervisionError("Only the practitioner logs hours on their own case.")
    try:
        check_dated_on_case(case, date=date, what="This date")
        try:
            check_hours(hours, what="One day's therapy")
        except ValidationError as error:
            raise ValidationError({"hours": error.messages}) from error
    except ValidationError as error:
        _refuse_invalid(error)
    with transaction.atomic():
        entry = TherapyHours.objects.create(case=case, date=date, hours=hours)
        log_action(entry, "supervision.therapy_hours.logged", user=by, data={"date": date, "hours": hours})
    return entry


# Supervision sessions ---------------------------------------------------------------------


def log_session(practitioner, *, supervisor, date, hours, format, kind, cases=(), note=""):
    """A session `practitioner` had with `supervisor`; it awaits the supervisor's decision."""
    cases = list(cases)
    try:
        check_session(practitioner, supervisor=supervisor, date=date, hours=hours, cases=cases, note=note)
    except ValidationError as error:
        _refuse_invalid(error)
    with transaction.atomic():
        session = SupervisionSession.objects.create(
            practitioner=practitioner,
            supervisor=supervisor,
            date=date,
            hours=hours,
            format=format,
            kind=kind,
            note=note,
        )
        session.cases.set(cases)
        log_action(
            session,
            "supervision.session.logged",
            user=practitioner,
            data={"supervisor": supervisor.pk, "date": date, "hours": hours, "cases": [case.pk for case in cases]},
        )
        _notify_supervisor(session)
    return session


def _lock_session(session):
    return (
        SupervisionSession.objects.select_for_update(of=("self",))
        .select_related("practitioner", "supervisor")
        .get(pk=session.pk)
    )


def _decide(session, status, *, by, reason="", on_behalf_reason=""):
    with transaction.atomic():
        session = _lock_session(session)
        if not _may_decide(session.supervisor_id, by, SupervisionSession):
            raise SupervisionError("Only the supervisor named on this session can confirm or dispute it.")
        on_behalf, on_behalf_reason = _on_behalf(session.supervisor, by, on_behalf_reason)
        if status not in SESSION_TRANSITIONS[session.status]:
            decided = session.decided_at.strftime("%-d %B %Y") if session.decided_at else ""
            raise SupervisionError(
                f"This session has already been {session.get_status_display().lower()}"
                f"{' on ' + decided if decided else ''}; the decision cannot be changed."
            )
        previous = session.status
        session.status = status
        session.decided_at = timezone.now()
        session.decided_by = by
        session.dispute_reason = reason
        session.decided_on_behalf = on_behalf
        session.on_behalf_reason = on_behalf_reason
        session.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by",
                "dispute_reason",
                "decided_on_behalf",
                "on_behalf_reason",
            ]
        )
        log_action(
            session,
            f"supervision.session.{status}",
            user=by,
            data={
                "from": previous,
                "to": status,
                "reason": reason,
                **({"on_behalf_of": session.supervisor_id, "on_behalf_reason": on_behalf_reason} if on_behalf else {}),
            },
        )
        _notify_practitioner(session, f"session_{status}")
        if on_behalf:
            _notify_supervisor_of_decision(
                session.supervisor,
                by=by,
                what=f"{status} the supervision session {session.practitioner} logged with you on "
                f"{_long_date(session.date)}",
                reason=on_behalf_reason,
            )
    return session


def confirm_session(session, *, by, on_behalf_reason=""):
    """The named supervisor confirms the session took place as logged; it now counts (D5).
    A coordinator may confirm for them, saying why (`on_behalf_reason`)."""
    return _decide(session, SessionStatus.CONFIRMED, by=by, on_behalf_reason=on_behalf_reason)


def dispute_session(session, *, by, reason, on_behalf_reason=""):
    """The named supervisor disputes the session, saying why; it never counts. A coordinator
    disputing for them gives why they decide (`on_behalf_reason`, default: the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise SupervisionError(
            "Say why you dispute this session; the practitioner will read it.",
            errors={"reason": ["Say why you dispute this session."]},
        )
    try:
        check_anonymous(reason)
    except ValidationError as error:
        raise SupervisionError(error.messages[0], errors={"reason": error.messages}) from error
    return _decide(session, SessionStatus.DISPUTED, by=by, reason=reason, on_behalf_reason=on_behalf_reason or reason)


def withdraw_session(session, *, by):
    """The practitioner withdraws a session they logged by mistake, while it awaits the
    supervisor; it stays on their ledger as withdrawn and never counts."""
    with transaction.atomic():
        session = _lock_session(session)
        if by.pk != session.practitioner_id:
            raise SupervisionError("Only the practitioner who logged this session can withdraw it.")
        if SessionStatus.WITHDRAWN not in SESSION_TRANSITIONS[session.status]:
            raise SupervisionError(f"This session cannot be withdrawn: it is {session.get_status_display().lower()}.")
        previous = session.status
        session.status = SessionStatus.WITHDRAWN
        session.decided_at = timezone.now()
        session.decided_by = by
        session.save(update_fields=["status", "decided_at", "decided_by"])
        log_action(session, "supervision.session.withdrawn", user=by, data={"from": previous})
    return session


# Recordings and close supervision -------------------------------------------------------


def log_recording(case, *, phase, session_date, note="", by):
    """A recorded session of `case`, for its supervisor to rate."""
    if by.pk != case.practitioner_id:
        raise SupervisionError("Only the practitioner logs recordings of their own case.")
    try:
        if case.supervisor_id is None:
            raise ValidationError("Name the case's supervisor before logging recordings: they rate them.")
        check_dated_on_case(case, date=session_date, what="The recorded session")
        check_anonymous(note)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "date" in error.error_dict:
            error = ValidationError({"session_date": error.error_dict["date"]})
        _refuse_invalid(error)
    with transaction.atomic():
        recording = Recording.objects.create(case=case, phase=phase, session_date=session_date, note=note)
        log_action(recording, "supervision.recording.logged", user=by, data={"phase": phase})
    return recording


def rate_recording(recording, *, rating, by, feedback="", on_behalf_reason=""):
    """The case's supervisor rates a recording pass or not yet; a later pass replaces a
    not yet, and a pass is final (D4). A coordinator may rate for them, saying why."""
    try:
        check_anonymous(feedback)
    except ValidationError as error:
        raise SupervisionError(error.messages[0], errors={"feedback": error.messages}) from error
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update(of=("self",))
            .select_related("case__supervisor", "case__practitioner")
            .get(pk=recording.pk)
        )
        if not _may_decide(recording.case.supervisor_id, by, Recording):
            raise SupervisionError("Only the case's supervisor rates its recordings.")
        if recording.case.supervisor_id is None:
            raise SupervisionError("The case names no supervisor to rate its recordings.")
        on_behalf, on_behalf_reason = _on_behalf(recording.case.supervisor, by, on_behalf_reason)
        if rating not in RATING_TRANSITIONS[recording.rating]:
            raise SupervisionError(
                f"This recording is rated {recording.get_rating_display().lower()}; "
                f"it cannot be rated {RecordingRating(rating).label.lower()} now."
            )
        previous = recording.rating
        recording.rating = rating
        recording.rated_at = timezone.now()
        recording.rated_by = by
        recording.feedback = feedback
        recording.rated_on_behalf = on_behalf
        recording.on_behalf_reason = on_behalf_reason
        recording.save(
            update_fields=["rating", "rated_at", "rated_by", "feedback", "rated_on_behalf", "on_behalf_reason"]
        )
        log_action(
            recording,
            "supervision.recording.rated",
            user=by,
            data={
                "from": previous,
                "to": rating,
                **(
                    {"on_behalf_of": recording.case.supervisor_id, "on_behalf_reason": on_behalf_reason}
                    if on_behalf
                    else {}
                ),
            },
        )
        if on_behalf:
            _notify_supervisor_of_decision(
                recording.case.supervisor,
                by=by,
                what=f"rated {RecordingRating(rating).label.lower()} the recording of {recording.case.practitioner}'s "
                f"case {recording.case.code} ({recording.get_phase_display().lower()} phase, "
                f"{_long_date(recording.session_date)})",
                reason=on_behalf_reason,
            )
    return recording


def confirm_close_supervision(case, *, by):
    """The case's supervisor confirms they supervised it closely to its end (D6)."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if not _may_decide(case.supervisor_id, by, Case):
            raise SupervisionError("Only the case's supervisor confirms it was closely supervised.")
        if case.closely_supervised:
            raise SupervisionError("This case has already been confirmed as closely supervised to the end.")
        if case.ended_on is None:
            raise SupervisionError("This case is still open: it can be confirmed once its last session is logged.")
        case.close_supervision_confirmed_at = timezone.now()
        case.close_supervision_confirmed_by = by
        case.save(update_fields=["close_supervision_confirmed_at", "close_supervision_confirmed_by"])
        log_action(case, "supervision.case.closely_supervised", user=by, data={"ended_on": case.ended_on})
    return case


# CPD ------------------------------------------------------------------------------------


def log_cpd(person, *, title, kind, date, hours):
    """A CPD event `person` attended (D2: any hours above zero)."""
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Name the event."]
    for field, check in (
        ("date", lambda: check_not_future(date, what="This event") if date else None),
        ("hours", lambda: check_hours(hours, maximum=CPD_MAX_HOURS, what="One CPD record")),
        ("title", lambda: check_anonymous(title)),
    ):
        try:
            check()
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    if date is None:
        errors["date"] = ["Enter the date of the event."]
    if errors:
        _refuse_invalid(ValidationError(errors))
    with transaction.atomic():
        record = CpdRecord.objects.create(person=person, title=title, kind=kind, date=date, hours=hours)
        log_action(record, "supervision.cpd.logged", user=person, data={"kind": kind, "date": date, "hours": hours})
    return record


# The directory ----------------------------------------------------------------------------

LISTING_FIELDS = ("is_listed", "display_name", "country", "region", "modality", "note")


def save_listing(supervisor, *, by, **values):
    """Create or change `supervisor`'s directory entry; logs the fields that changed."""
    with transaction.atomic():
        listing = SupervisorListing.objects.select_for_update().filter(supervisor=supervisor).first()
        created = listing is None
        listing = listing or SupervisorListing(supervisor=supervisor)
        changed = {}
        for field in LISTING_FIELDS:
            if field in values and getattr(listing, field) != values[field]:
                changed[field] = {"from": str(getattr(listing, field)), "to": str(values[field])}
                setattr(listing, field, values[field])
        if not created and not changed:
            return listing
        listing.full_clean()
        listing.save()
        log_action(
            listing, "supervision.listing.created" if created else "supervision.listing.changed", user=by, data=changed
        )
    return listing


def contact_supervisor(listing, *, sender_name, sender_email, message):
    """A visitor writes to a listed supervisor; the portal forwards it, so the supervisor's
    address is never shown. The supervisor answers from their own mailbox if they wish."""
    if not selectors.listed_supervisors().filter(pk=listing.pk).exists():
        raise SupervisionError("This supervisor is no longer listed in the directory.")
    send_templated_email(
        "supervision/emails/contact",
        {
            "listing": listing,
            "recipient": listing.supervisor,
            "sender_name": sender_name,
            "sender_email": sender_email,
            "message": message,
            "page_url": reverse("supervision:listing"),
        },
        to=listing.supervisor.email,
    )
    # The sender is told it went, without a copy of their text (the form must not become a
    # way to send any text to any address) and without the supervisor's address.
    send_templated_email(
        "supervision/emails/contact_received",
        {
            "listing": listing,
            "sent_on": timezone.localdate(),
            "directory_url": reverse("supervision:directory"),
            "contact_url": reverse("contact"),
        },
        to=sender_email,
    )
    log_action(listing, "supervision.listing.contacted")
