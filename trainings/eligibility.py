"""Entry requirements checked against an applicant's answers and the portal's records, on a
date (DOMAIN.md D13, D17, D19-D22, D25).

    eligibility(person, course, on=None, answers=None) -> list of Failure

Judged on the day of applying and again on the day a coordinator (or the trainee, taking up
an offered place) accepts, from what the portal knows on that day: credentials' status then
(their history), runs completed by then (a completion counts from the run's last day) and
the profile (a registration whose "valid until" date has passed is not current, whatever
was answered when applying). A rule changed in between, or a credential lapsed, is noticed.

Rules the portal reads from another app's records (the supervisor route's prerequisites,
D20, kept by accreditation) are registered here by that app (`register_portal_check`), so
the imports still run one way.
"""

from dataclasses import dataclass

from django.utils import timezone

from members.enums import CredentialKind, CredentialStatus
from members.models import PersonProfile
from members.services import credential_status_on

from . import selectors
from .enums import (
    PRACTITIONER_TRAINING_ROLES,
    READ_FROM_PORTAL,
    AnswerType,
    EvidenceRule,
)
from .models import Course, EntryRequirement

# Credential statuses that mean the person holds it and may not train for it again (D20).
HOLDING_STATES = (CredentialStatus.ACCREDITED, CredentialStatus.SUSPENDED)

_portal_checks = {}
_portal_descriptions = {}


def register_portal_check(answer_type, check, describe=None):
    """`check(person, on)` returns why `person` fails the rule on the date, or None;
    `describe()`, if given, says the rule as the public course page lists it (with the
    numbers the app that keeps the rule reads, so the page and the check agree)."""
    _portal_checks[answer_type] = check
    if describe is not None:
        _portal_descriptions[answer_type] = describe


def requirement_text(requirement):
    """A requirement as the course page lists it: the rule's own description where the app
    that checks it gives one, else the question asked, else its title."""
    describe = _portal_descriptions.get(requirement.answer_type)
    return (describe() if describe else "") or requirement.question or requirement.title


@dataclass(frozen=True)
class Failure:
    requirement: EntryRequirement
    message: str
    about_evidence: bool = False
    case_by_case: bool = False  # not a refusal: coordinators may accept the applicant anyway (D17)

    def __str__(self):
        return f"{self.requirement.title}: {self.message}"


def _number(value):
    return f"{value.normalize():f}"


def _amount(value, unit):
    """“1 year”, “2 years”: units are stored in the plural."""
    if unit and value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{_number(value)} {unit}".strip()


def _day(value):
    return f"{value:%-d %B %Y}"


def _today(on):
    return on or timezone.localdate()


def is_dit_practitioner(person, on=None):
    """D13: on the date, holds the practitioner credential in any status but revoked, or has
    completed a run of a course leading to it (the 5-day or the 20-day training)."""
    on = _today(on)
    status = credential_status_on(person, CredentialKind.PRACTITIONER, on)
    if status is not None and status != CredentialStatus.REVOKED:
        return True
    return selectors.completed_enrolments(person, roles=PRACTITIONER_TRAINING_ROLES, by=on).exists()


def trained_in_dit(person, on=None):
    """D3, D22: on the date, has completed a 5-day or 20-day run, or holds a DIT credential
    of any kind in any status but revoked (people trained before the portal existed have
    theirs recorded by a coordinator). Attending part of a run does not count."""
    on = _today(on)
    if selectors.completed_enrolments(person, roles=PRACTITIONER_TRAINING_ROLES, by=on).exists():
        return True
    return any(
        credential_status_on(person, kind, on) not in (None, CredentialStatus.REVOKED) for kind in CredentialKind
    )


def registration_lapsed(person, on=None):
    """The profile's "registration valid until" date if it passed before `on` (D21), else None."""
    on = _today(on)
    valid_until = PersonProfile.objects.filter(person=person).values_list("registration_valid_until", flat=True)
    valid_until = next(iter(valid_until), None)
    return valid_until if valid_until is not None and valid_until < on else None


def requirement_failure(requirement, answer, trainee, on=None):
    """Why `answer` (an EnrolmentAnswer, saved or not, or None) fails `requirement` on the
    date `on` (default today), or None."""
    on = _today(on)
    kind = requirement.answer_type
    if kind == AnswerType.DIT_PRACTITIONER:
        if is_dit_practitioner(trainee, on):
            return None
        return (
            "this course is for DIT practitioners, and the portal records neither a DIT practitioner credential "
            "nor a completed 5-day or 20-day DIT training for you."
        )
    if kind == AnswerType.CREDENTIAL:
        if credential_status_on(trainee, requirement.credential_kind, on) == CredentialStatus.ACCREDITED:
            return None
        label = requirement.get_credential_kind_display()
        return f"this course is for accredited holders of {label} status, and the portal does not record it for you."
    if kind == AnswerType.NOT_HOLDING:
        if credential_status_on(trainee, requirement.credential_kind, on) not in HOLDING_STATES:
            return None
        label = requirement.get_credential_kind_display()
        return f"you already hold {label} status."
    if kind == AnswerType.TRAINED_IN_DIT:
        if trained_in_dit(trainee, on):
            return None
        return (
            "this course is for people trained in DIT before, and the portal records neither a completed 5-day or "
            "20-day DIT training nor a DIT credential for you. Trained before the portal existed? Please contact "
            "the coordinators, who record it."
        )
    if kind in _portal_checks:
        return _portal_checks[kind](trainee, on)
    if kind in READ_FROM_PORTAL:
        return "the portal cannot check this rule."
    if answer is None:
        return "not answered."
    if kind == AnswerType.YES_NO:
        return None if answer.yes_no else "this course requires it."
    if kind == AnswerType.NO_NEEDED:
        if answer.yes_no is None:
            return "not answered."
        if not answer.yes_no:
            return None
        return f"this course is for people who do not yet meet it. {requirement.help_text}".strip()
    if kind == AnswerType.NUMBER:
        if answer.number is None:
            return "not answered."
        if answer.number < requirement.minimum:
            return (
                f"at least {_amount(requirement.minimum, requirement.unit)} needed; you gave {_number(answer.number)}."
            )
        return None
    if kind == AnswerType.TEXT:
        return None if answer.text.strip() else "an answer is needed."
    if kind == AnswerType.REGISTRATION:
        lapsed = registration_lapsed(trainee, on)
        if lapsed:
            return f"registration not current: your profile records it as valid until {_day(lapsed)}."
        bodies = requirement.choice_list
        if answer.registration_body not in bodies:
            listed = f"{', '.join(bodies[:-1])} or {bodies[-1]}" if len(bodies) > 1 else bodies[0]
            if requirement.case_by_case and answer.registration_body:
                if not answer.text.strip():
                    return "your registration number is needed."
                return (
                    f"registered with {answer.registration_body}, not {listed}; "
                    "the coordinators consider other bodies case by case."
                )
            return f"current registration with {listed} is needed."
        return None if answer.text.strip() else "your registration number is needed."
    return None


def eligibility(person, course, on=None, answers=None):
    """Every entry rule of `course` that `person` fails on the date `on` (default today),
    given their answers keyed by requirement id (none: only what the portal reads)."""
    if not isinstance(course, Course):
        course = Course.objects.get(pk=course)
    return eligibility_failures(list(course.requirements.all()), answers or {}, person, on=on)


def eligibility_failures(requirements, answers_by_requirement, trainee, on=None):
    """Every rule `trainee` fails on `on`, given their answers keyed by requirement id."""
    on = _today(on)
    failures = []
    for requirement in requirements:
        answer = answers_by_requirement.get(requirement.pk)
        message = requirement_failure(requirement, answer, trainee, on)
        if message:
            failures.append(
                Failure(requirement, message, case_by_case=_for_coordinators(requirement, answer, trainee, on))
            )
    return failures


def _for_coordinators(requirement, answer, trainee, on):
    """A criterion coordinators accept case by case, answered with something they can judge
    (a registration body not in the list, say); an empty answer is still refused."""
    if not requirement.case_by_case:
        return False
    if requirement.answer_type in READ_FROM_PORTAL:
        return True
    if answer is None:
        return False
    if requirement.answer_type == AnswerType.REGISTRATION:
        # Only the body is judged case by case; a missing number or a lapsed registration is refused.
        unlisted = answer.registration_body.strip() not in requirement.choice_list
        named = bool(answer.registration_body.strip() and answer.text.strip())
        return unlisted and named and registration_lapsed(trainee, on) is None
    if requirement.answer_type == AnswerType.NUMBER:
        return answer.number is not None
    return answer.yes_no is not None or bool(answer.text.strip())


def split_failures(failures):
    """(refusals, case-by-case failures): only the first refuse an application."""
    refusals = [failure for failure in failures if not failure.case_by_case]
    return refusals, [failure for failure in failures if failure.case_by_case]


def credential_checks(requirements, person, on=None):
    """What the portal can check before someone applies: each requirement it reads from its
    records, with the reason it is not met on `on` (None when met)."""
    return [
        (requirement, requirement_failure(requirement, None, person, on))
        for requirement in requirements
        if requirement.answer_type in READ_FROM_PORTAL
    ]


def missing_evidence(requirements, uploaded_requirement_ids):
    """Rules whose evidence is required but was not uploaded."""
    failures = []
    for requirement in requirements:
        if requirement.evidence == EvidenceRule.REQUIRED and requirement.pk not in uploaded_requirement_ids:
            what = requirement.evidence_hint or "evidence"
            failures.append(Failure(requirement, f"please upload {what}.", about_evidence=True))
    return failures


@dataclass(frozen=True)
class RequirementCheck:
    """One entry requirement against what the applicant gave, for the decision page."""

    requirement: EntryRequirement
    answer: object  # the EnrolmentAnswer, or None (not answered, or read from the portal)
    failure: str | None
    case_by_case: bool = False  # not met, but the coordinators may accept it (D17)

    @property
    def met(self):
        return self.failure is None


def requirement_checks(requirements, answers_by_requirement, trainee, on=None):
    """Each requirement with the applicant's answer and whether it is met on `on` (today)."""
    checks = []
    for requirement in requirements:
        answer = answers_by_requirement.get(requirement.pk)
        failure = requirement_failure(requirement, answer, trainee, on)
        if failure is None and requirement.evidence == EvidenceRule.REQUIRED and not (answer and answer.evidence):
            failure = f"{requirement.evidence_hint or 'evidence'} was required and is missing."
        case_by_case = failure is not None and _for_coordinators(requirement, answer, trainee, on)
        checks.append(RequirementCheck(requirement, answer, failure, case_by_case))
    return checks
