"""Entry requirements checked against an applicant's answers and the credentials they hold.

Used when a trainee applies and again when a coordinator (or the trainee, taking up an
offered place) accepts, so a rule changed in between, or a credential lapsed, is noticed.
"""

from dataclasses import dataclass

from members.services import holds_credential

from .enums import AnswerType, EvidenceRule
from .models import EntryRequirement


@dataclass(frozen=True)
class Failure:
    requirement: EntryRequirement
    message: str
    about_evidence: bool = False

    def __str__(self):
        return f"{self.requirement.title}: {self.message}"


def _number(value):
    return f"{value.normalize():f}"


def requirement_failure(requirement, answer, trainee):
    """Why `answer` (an EnrolmentAnswer, saved or not, or None) fails `requirement`, or None."""
    kind = requirement.answer_type
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
            unit = f" {requirement.unit}" if requirement.unit else ""
            return f"at least {_number(requirement.minimum)}{unit} needed; you gave {_number(answer.number)}."
        return None
    if kind == AnswerType.TEXT:
        return None if answer.text.strip() else "an answer is needed."
    if kind == AnswerType.REGISTRATION:
        bodies = requirement.choice_list
        if answer.registration_body not in bodies:
            named = bodies[0] if len(bodies) == 1 else f"{', '.join(bodies[:-1])} or {bodies[-1]}"
            return f"current registration with {named} is needed."
        return None if answer.text.strip() else "your registration number is needed."
    return None


def eligibility_failures(requirements, answers_by_requirement, trainee):
    """Every rule `trainee` fails, given their answers keyed by requirement id."""
    failures = []
    for requirement in requirements:
        message = requirement_failure(requirement, answers_by_requirement.get(requirement.pk), trainee)
        if message:
            failures.append(Failure(requirement, message))
    return failures


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
        checks.append(RequirementCheck(requirement, answer, failure))
    return checks
