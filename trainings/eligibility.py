"""Entry requirements checked against an applicant's answers and the credentials they hold.

Used when a trainee applies and again when a coordinator (or the trainee, taking up an
offered place) accepts, so a rule changed in between, or a credential lapsed, is noticed.
"""

from dataclasses import dataclass

from members.enums import CredentialKind
from members.services import has_credential_on_record, holds_credential

from .enums import READ_FROM_PORTAL, AnswerType, EnrolmentStatus, EvidenceRule
from .models import Enrolment, EntryRequirement


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


def is_dit_practitioner(person):
    """D13: holds the practitioner credential in any status but revoked, or completed a run
    of a course leading to it (the 5-day or the 20-day training)."""
    return has_credential_on_record(person, CredentialKind.PRACTITIONER) or (
        Enrolment.objects.filter(
            trainee=person,
            status=EnrolmentStatus.COMPLETED,
            run__course__leads_to_credential=CredentialKind.PRACTITIONER,
        ).exists()
    )


def requirement_failure(requirement, answer, trainee):
    """Why `answer` (an EnrolmentAnswer, saved or not, or None) fails `requirement`, or None."""
    kind = requirement.answer_type
    if kind == AnswerType.DIT_PRACTITIONER:
        if is_dit_practitioner(trainee):
            return None
        return (
            "this course is for DIT practitioners, and the portal records neither a DIT practitioner credential "
            "nor a completed 5-day or 20-day DIT training for you."
        )
    if kind == AnswerType.CREDENTIAL:
        if holds_credential(trainee, requirement.credential_kind):
            return None
        label = requirement.get_credential_kind_display()
        return f"this course is for accredited holders of {label} status, and the portal does not record it for you."
    if answer is None:
        return "not answered."
    if kind == AnswerType.YES_NO:
        return None if answer.yes_no else "this course requires it."
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


def eligibility_failures(requirements, answers_by_requirement, trainee):
    """Every rule `trainee` fails, given their answers keyed by requirement id."""
    failures = []
    for requirement in requirements:
        answer = answers_by_requirement.get(requirement.pk)
        message = requirement_failure(requirement, answer, trainee)
        if message:
            failures.append(Failure(requirement, message, case_by_case=_for_coordinators(requirement, answer)))
    return failures


def _for_coordinators(requirement, answer):
    """A criterion coordinators accept case by case, answered with something they can judge
    (a registration body not in the list, say); an empty answer is still refused."""
    if not requirement.case_by_case:
        return False
    if requirement.answer_type in READ_FROM_PORTAL:
        return True
    if answer is None:
        return False
    if requirement.answer_type == AnswerType.REGISTRATION:
        return bool(answer.registration_body.strip() and answer.text.strip())
    if requirement.answer_type == AnswerType.NUMBER:
        return answer.number is not None
    return answer.yes_no is not None or bool(answer.text.strip())


def split_failures(failures):
    """(refusals, case-by-case failures): only the first refuse an application."""
    refusals = [failure for failure in failures if not failure.case_by_case]
    return refusals, [failure for failure in failures if failure.case_by_case]


def credential_checks(requirements, person):
    """What the portal can check before someone applies: each credential requirement with
    the reason it is not met (None when met)."""
    return [
        (requirement, requirement_failure(requirement, None, person))
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


def requirement_checks(requirements, answers_by_requirement, trainee):
    """Each requirement with the applicant's answer and whether it is met now."""
    checks = []
    for requirement in requirements:
        answer = answers_by_requirement.get(requirement.pk)
        failure = requirement_failure(requirement, answer, trainee)
        if failure is None and requirement.evidence == EvidenceRule.REQUIRED and not (answer and answer.evidence):
            failure = f"{requirement.evidence_hint or 'evidence'} was required and is missing."
        case_by_case = failure is not None and _for_coordinators(requirement, answer)
        checks.append(RequirementCheck(requirement, answer, failure, case_by_case))
    return checks
