"""Every state change of accreditation: role-play results, case-study submissions and their
review, letters of support, and granting a credential.

Each public function runs in one transaction, locks the row it changes (or the person, for
what is created per person), checks the state against the one transition table in
`enums.py`, saves with `update_fields`, writes one audit entry and sends its e-mail after
commit. Views, admin actions and tasks all call these; a refusal raises
AccreditationError with a message meant for the person who asked, and changes nothing.
"""

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dit_portal.audit import log_action
from dit_portal.emails import send_templated_email
from dit_portal.files import DOCX, EVIDENCE_KINDS, PDF, prepare_upload, private_storage, shown_name
from members import roles
from members.enums import CredentialKind, CredentialRoute, CredentialStatus
from members.models import User
from members.services import CredentialError, set_credential_status

from . import thresholds
from .enums import CASE_STUDY_TRANSITIONS, CaseStudyStatus, LetterWriter, PracticeRoute, RolePlayOutcome
from .models import CaseStudySubmission, RolePlayResult, SupportLetter
from .pathways import checklist, role_play_refusal

CASE_STUDY_KINDS = (PDF, DOCX)


class AccreditationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _lock_person(person):
    return User.objects.select_for_update().get(pk=person.pk)


def _months_from(day, months):
    return day + relativedelta(months=int(months))


def _validated(upload, kinds):
    """The file to store (pictures re-encoded), or an AccreditationError saying why not."""
    try:
        return prepare_upload(upload, kinds)
    except ValidationError as error:
        raise AccreditationError(" ".join(error.messages)) from error


def _pathway_url():
    return reverse("accreditation:my_pathway")


# Role-play ------------------------------------------------------------------------------


def record_role_play(person, *, outcome, assessed_on, by, feedback="", retake_by=None):
    """Record the outcome of `person`'s next role-play attempt (D16, D24). A referral gets a
    retake deadline (default: the configured months after the assessment). Refused without
    the whole training completed, after a fail (or a referral past its deadline) until the
    training is attended again."""
    if outcome not in RolePlayOutcome.values:
        raise AccreditationError(f"Unknown role-play outcome: {outcome!r}.")
    if assessed_on > timezone.localdate():
        raise AccreditationError("The role-play cannot be assessed in the future.")
    if retake_by and outcome != RolePlayOutcome.REFER:
        raise AccreditationError("Only a referral has a retake deadline.")
    if retake_by and retake_by <= assessed_on:
        raise AccreditationError("The retake deadline must be after the assessment.")
    with transaction.atomic():
        person = _lock_person(person)
        previous = RolePlayResult.objects.filter(person=person, voided_at__isnull=True).order_by("-attempt").first()
        last_attempt = RolePlayResult.objects.filter(person=person).order_by("-attempt").first()
        if previous and previous.outcome == RolePlayOutcome.PASS:
            raise AccreditationError(f"{person} has passed the role-play already (attempt {previous.attempt}).")
        if previous and assessed_on < previous.assessed_on:
            raise AccreditationError(
                f"Attempt {previous.attempt} was assessed on {previous.assessed_on:%-d %B %Y}; a later attempt "
                "cannot be earlier."
            )
        refusal = role_play_refusal(person, assessed_on)
        if refusal:
            raise AccreditationError(refusal)
        if outcome == RolePlayOutcome.REFER and retake_by is None:
            retake_by = _months_from(assessed_on, thresholds.current()["role_play_retake_months"])
        result = RolePlayResult.objects.create(
            person=person,
            attempt=(last_attempt.attempt + 1) if last_attempt else 1,
            outcome=outcome,
            assessed_on=assessed_on,
            retake_by=retake_by if outcome == RolePlayOutcome.REFER else None,
            feedback=feedback.strip(),
            recorded_by=by,
        )
        log_action(
            result,
            "accreditation.role_play.recorded",
            user=by,
            data={"attempt": result.attempt, "outcome": outcome, "assessed_on": assessed_on, "retake_by": retake_by},
        )
        send_templated_email(
            "accreditation/emails/role_play_result",
            {"person": person, "result": result, "pathway_url": _pathway_url()},
            to=person.email,
        )
    return result


def void_role_play(result, *, reason, by):
    """Void a role-play result recorded in error: it is never edited, it stops counting (a
    later attempt may be recorded), the person is e-mailed and one audit entry says why."""
    reason = (reason or "").strip()
    if not reason:
        raise AccreditationError("Say why the result is void; the person is told.")
    if not (by.is_superuser or by.has_perm("accreditation.void_roleplayresult")):
        raise AccreditationError("You may not void role-play results.")
    with transaction.atomic():
        result = RolePlayResult.objects.select_for_update().select_related("person").get(pk=result.pk)
        if result.is_void:
            raise AccreditationError(f"Attempt {result.attempt} of {result.person} is void already.")
        result.voided_at = timezone.now()
        result.voided_by = by
        result.void_reason = reason
        result.save(update_fields=["voided_at", "voided_by", "void_reason"])
        log_action(
            result,
            "accreditation.role_play.voided",
            user=by,
            data={"attempt": result.attempt, "outcome": result.outcome, "reason": reason},
        )
        send_templated_email(
            "accreditation/emails/role_play_voided",
            {"person": result.person, "result": result, "pathway_url": _pathway_url()},
            to=result.person.email,
        )
    return result


# Case study -----------------------------------------------------------------------------


NOT_READ = object()


def case_study_refusal(person, today=None, *, latest=NOT_READ, limits=None):
    """Why `person` cannot upload a case study now (a message), or None when they can.
    A page that has read the person's submissions passes the latest (or None) and the
    thresholds it read."""
    today = today or timezone.localdate()
    if latest is NOT_READ:
        latest = CaseStudySubmission.objects.filter(person=person).order_by("-number").first()
    if latest is None:
        return None
    if latest.status == CaseStudyStatus.SUBMITTED:
        return "Your case study is awaiting review; you can upload again only if it is referred."
    if latest.status == CaseStudyStatus.PASSED:
        return "Your case study has passed."
    if latest.status == CaseStudyStatus.FAILED:
        return "Your case study did not pass; please contact the coordinators."
    if latest.number > (limits or thresholds.current()).whole("case_study_max_resubmissions"):
        return "You have used every resubmission; please contact the coordinators."
    if latest.resubmit_by and today > latest.resubmit_by:
        return (
            f"The resubmission deadline ({latest.resubmit_by:%-d %B %Y}) has passed; please contact the coordinators."
        )
    return None


def submit_case_study(person, *, upload):
    """`person` uploads their case study (PDF or Word): a first submission, or a
    resubmission after a referral, which keeps the previous submission's assessor. The
    trainee gets a receipt; the assessor, or the coordinators when there is none, are told."""
    upload = _validated(upload, CASE_STUDY_KINDS)
    stored = None
    try:
        with transaction.atomic():
            person = _lock_person(person)
            refusal = case_study_refusal(person)
            if refusal:
                raise AccreditationError(refusal)
            previous = CaseStudySubmission.objects.filter(person=person).order_by("-number").first()
            number = (previous.number if previous else 0) + 1
            submission = CaseStudySubmission(
                person=person,
                number=number,
                file_name=shown_name(upload.name),
                assessor=previous.assessor if previous else None,
            )
            submission.file.save(upload.name, upload, save=False)
            stored = submission.file.name
            submission.save()
            log_action(
                submission,
                "accreditation.case_study.submitted",
                user=person,
                data={"number": number, "file": submission.file_name, "assessor": submission.assessor_id},
            )
            _announce_submission(submission)
    except BaseException:
        if stored:
            private_storage().delete(stored)
        raise
    return submission


def _announce_submission(submission):
    send_templated_email(
        "accreditation/emails/case_study_received",
        {"person": submission.person, "submission": submission, "pathway_url": _pathway_url()},
        to=submission.person.email,
    )
    if submission.assessor is not None:
        recipients = [submission.assessor.email]
    else:
        recipients = list(
            User.objects.filter(is_active=True, groups__name=roles.COORDINATOR).values_list("email", flat=True)
        )
    if recipients:
        send_templated_email(
            "accreditation/emails/case_study_submitted",
            {
                "submission": submission,
                "file_url": submission.get_file_url(),
                "review_url": reverse("admin:accreditation_casestudysubmission_change", args=[submission.pk]),
            },
            to=recipients,
        )


def _lock_submission(submission):
    return CaseStudySubmission.objects.select_for_update().select_related("person").get(pk=submission.pk)


def assign_assessor(submission, *, assessor, by):
    with transaction.atomic():
        submission = _lock_submission(submission)
        if not CASE_STUDY_TRANSITIONS[submission.status]:
            raise AccreditationError(f"Case study {submission.number} of {submission.person} is decided already.")
        if assessor is not None and assessor.pk == submission.person_id:
            raise AccreditationError("A trainee cannot assess their own case study.")
        previous = submission.assessor_id
        submission.assessor = assessor
        submission.save(update_fields=["assessor"])
        log_action(
            submission,
            "accreditation.case_study.assessor_assigned",
            user=by,
            data={"from": previous, "to": assessor.pk if assessor else None},
        )
        if assessor is not None and assessor.pk != previous:
            send_templated_email(
                "accreditation/emails/assessor_assigned",
                {"assessor": assessor, "submission": submission, "file_url": submission.get_file_url()},
                to=assessor.email,
            )
    return submission


def decide_case_study(submission, *, decision, by, feedback="", resubmit_by=None):
    """Pass, refer (resubmit by a date; at most the configured number of resubmissions) or
    fail a submitted case study. Decided once: a second decision is refused, even when two
    coordinators decide at the same moment (the row is locked)."""
    feedback = (feedback or "").strip()
    if decision not in (CaseStudyStatus.PASSED, CaseStudyStatus.REFERRED, CaseStudyStatus.FAILED):
        raise AccreditationError("Choose pass, refer or fail.")
    if decision != CaseStudyStatus.PASSED and not feedback:
        raise AccreditationError("Write feedback for the trainee: they see it with the decision.")
    today = timezone.localdate()
    if resubmit_by and decision != CaseStudyStatus.REFERRED:
        raise AccreditationError("Only a referral has a resubmission date.")
    if resubmit_by and resubmit_by <= today:
        raise AccreditationError("The resubmission date must be in the future.")
    with transaction.atomic():
        submission = _lock_submission(submission)
        if decision not in CASE_STUDY_TRANSITIONS[submission.status]:
            raise AccreditationError(
                f"Case study {submission.number} of {submission.person} is {submission.get_status_display().lower()} "
                "already; a decision cannot be changed. A referral is followed by a new submission."
            )
        if decision in (CaseStudyStatus.PASSED, CaseStudyStatus.REFERRED) and submission.assessor_id is None:
            raise AccreditationError("Assign an assessor first: a pass or a referral follows their recommendation.")
        limits = thresholds.current()
        if decision == CaseStudyStatus.REFERRED:
            allowed = limits.whole("case_study_max_resubmissions")
            if submission.number > allowed:
                raise AccreditationError(
                    f"{submission.person} has resubmitted {allowed} times already, the most allowed: pass or fail "
                    "this submission."
                )
            resubmit_by = resubmit_by or _months_from(today, limits["case_study_resubmit_months"])
        submission.status = decision
        submission.feedback = feedback
        submission.resubmit_by = resubmit_by if decision == CaseStudyStatus.REFERRED else None
        submission.decided_at = timezone.now()
        submission.decided_by = by
        submission.save(update_fields=["status", "feedback", "resubmit_by", "decided_at", "decided_by"])
        log_action(
            submission,
            f"accreditation.case_study.{decision}",
            user=by,
            data={"number": submission.number, "resubmit_by": submission.resubmit_by, "feedback": feedback},
        )
        send_templated_email(
            "accreditation/emails/case_study_decided",
            {"person": submission.person, "submission": submission, "pathway_url": _pathway_url()},
            to=submission.person.email,
        )
    return submission


# Letters of support (supervisor route) ------------------------------------------------------


def upload_support_letter(person, *, writer, writer_name, upload):
    if writer not in LetterWriter.values:
        raise AccreditationError("Say who wrote the letter.")
    writer_name = (writer_name or "").strip()
    if not writer_name:
        raise AccreditationError("Give the name of the person who wrote the letter.")
    upload = _validated(upload, EVIDENCE_KINDS)
    stored, replaced = None, None
    try:
        with transaction.atomic():
            person = _lock_person(person)
            letter = SupportLetter.objects.filter(person=person, writer=writer).first()
            if letter is None:
                letter = SupportLetter(person=person, writer=writer)
            else:
                replaced = letter.file.name
            letter.writer_name = writer_name[:200]
            letter.file_name = shown_name(upload.name)
            letter.file.save(upload.name, upload, save=False)
            stored = letter.file.name
            letter.uploaded_at = timezone.now()
            letter.save()
            log_action(
                letter,
                "accreditation.support_letter.uploaded",
                user=person,
                data={"writer": writer, "writer_name": writer_name, "replaced": bool(replaced)},
            )
            if replaced:
                transaction.on_commit(lambda: private_storage().delete(replaced))
    except BaseException:
        if stored:
            private_storage().delete(stored)
        raise
    return letter


# Granting -----------------------------------------------------------------------------------

ROUTE_OF = {
    CredentialKind.SUPERVISOR: CredentialRoute.SUPERVISOR_TRAINING,
    CredentialKind.TRAINER: CredentialRoute.UK_TRAINER,
    CredentialKind.COMPLEX_CARE: CredentialRoute.COMPLEX_CARE,
}


def may_grant(user, kind):
    """Coordinators grant; the AFC trainer credential only the Programme Director (D10)."""
    if not user.is_authenticated:
        return False
    if kind == CredentialKind.TRAINER:
        return user.is_superuser or roles.has_role(user, roles.PROGRAMME_DIRECTOR)
    return user.is_superuser or user.has_perm("accreditation.grant_candidate")


def grant_credential(person, kind, *, by, note=""):
    """Accredit `person` with `kind` when every item of its checklist is met; recorded in
    members with its history."""
    if not may_grant(by, kind):
        if kind == CredentialKind.TRAINER:
            raise AccreditationError("Only the Programme Director approves AFC trainer status.")
        raise AccreditationError("You may not grant credentials.")
    with transaction.atomic():
        person = _lock_person(person)
        result = checklist(person, kind)
        if result.held:
            raise AccreditationError(f"{person} already holds {CredentialKind(kind).label} as accredited.")
        if not result.all_met:
            missing = "; ".join(
                f"{item.label}: {item.missing}" for item in result.items if item.required and not item.met
            )
            raise AccreditationError(
                f"{person} does not meet every requirement of {CredentialKind(kind).label} yet: {missing}"
            )
        if kind == CredentialKind.PRACTITIONER:
            route = CredentialRoute.TWENTY_DAY if result.route == PracticeRoute.TWENTY_DAY else CredentialRoute.FIVE_DAY
        else:
            route = ROUTE_OF[kind]
        note = (note or "").strip() or f"Granted: every requirement of the {result.label} checklist met."
        try:
            credential = set_credential_status(
                person, kind, CredentialStatus.ACCREDITED, by=by, note=note, route=route, effective_on=result.as_of
            )
        except CredentialError as error:
            raise AccreditationError(str(error)) from error
        log_action(
            credential,
            "accreditation.credential.granted",
            user=by,
            data={"kind": kind, "route": route, "items": [item.as_dict() for item in result.items]},
        )
        send_templated_email(
            "accreditation/emails/credential_granted",
            {"person": person, "credential": credential, "pathway_url": _pathway_url()},
            to=person.email,
        )
    return credential
