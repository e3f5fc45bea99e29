"""Reads for the accreditation pages and the "ready to accredit" queue."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential, User
from supervision.enums import CasePurpose
from supervision.models import Case
from trainings.enums import (
    ACTIVE_STATES,
    PRACTITIONER_TRAINING_ROLES,
    EnrolmentStatus,
    PathwayRole,
    RunStatus,
    TrainerRole,
)
from trainings.models import Enrolment, TrainerDay

from .enums import CaseStudyStatus, RolePlayOutcome
from .models import CaseStudySubmission, RolePlayResult, SupportLetter

KINDS = [CredentialKind.PRACTITIONER, CredentialKind.SUPERVISOR, CredentialKind.TRAINER, CredentialKind.COMPLEX_CARE]


def _holds(kind, statuses=(CredentialStatus.ACCREDITED,)):
    return Exists(HeldCredential.objects.filter(holder=OuterRef("pk"), kind=kind, status__in=statuses))


def _completed(course_role):
    return Exists(
        Enrolment.objects.filter(
            trainee=OuterRef("pk"), status=EnrolmentStatus.COMPLETED, run__course__pathway_role=course_role
        )
    )


def candidates():
    """People who may be ready for a credential they do not hold, found with queries only
    (the engine then checks the page shown): annotated with `maybe_<kind>` flags."""
    not_revoked = (
        CredentialStatus.IN_PROGRESS,
        CredentialStatus.ACCREDITED,
        CredentialStatus.LAPSED,
        CredentialStatus.SUSPENDED,
    )
    role_play = Exists(
        RolePlayResult.objects.filter(person=OuterRef("pk"), outcome=RolePlayOutcome.PASS, voided_at__isnull=True)
    )
    case_study = Exists(CaseStudySubmission.objects.filter(person=OuterRef("pk"), status=CaseStudyStatus.PASSED))
    closely = Exists(
        Case.objects.filter(
            practitioner=OuterRef("pk"),
            purpose=CasePurpose.PRACTITIONER_TRAINING,
            close_supervision_confirmed_at__isnull=False,
        )
    )
    letters = Exists(SupportLetter.objects.filter(person=OuterRef("pk")))
    supervisor_cases = Exists(Case.objects.filter(practitioner=OuterRef("pk"), purpose=CasePurpose.SUPERVISOR_TRAINING))
    delivered = Exists(
        TrainerDay.objects.filter(
            run_trainer__trainer=OuterRef("pk"),
            role__in=(TrainerRole.SUPPORT, TrainerRole.LEAD),
            run_trainer__run__run_by_centre=True,
        ).exclude(run_trainer__run__status=RunStatus.CANCELLED)
    )
    practitioner = _holds(CredentialKind.PRACTITIONER)
    held = not_revoked[1:]
    rules = {
        "maybe_practitioner": ~Q(_holds(CredentialKind.PRACTITIONER, held))
        & Q(role_play)
        & (
            (Q(_completed(PathwayRole.FIVE_DAY)) & Q(case_study)) | (Q(_completed(PathwayRole.TWENTY_DAY)) & Q(closely))
        ),
        "maybe_supervisor": ~Q(_holds(CredentialKind.SUPERVISOR, held))
        & Q(practitioner)
        & Q(letters)
        & Q(supervisor_cases),
        "maybe_trainer": ~Q(_holds(CredentialKind.TRAINER, held))
        & Q(practitioner)
        & Q(_holds(CredentialKind.SUPERVISOR))
        & Q(delivered),
        "maybe_complex_care": ~Q(_holds(CredentialKind.COMPLEX_CARE, held))
        & Q(practitioner)
        & Q(_completed(PathwayRole.COMPLEX_CARE)),
    }
    # Each rule is a conjunction of EXISTS tests, which PostgreSQL runs as joins from the
    # small tables they name when the rule is a query's whole filter; the union of the four
    # gives the candidates, and the flags are then computed for those people only.
    flags = {name: ExpressionWrapper(rule, output_field=BooleanField()) for name, rule in rules.items()}
    first, *others = [User.objects.filter(rule).order_by().values_list("pk", flat=True) for rule in rules.values()]
    return User.objects.filter(is_active=True, pk__in=first.union(*others)).annotate(**flags)


def role_plays_to_record():
    """Completions of a 5-day or 20-day run by people with no role-play result yet: the
    role-play is filmed at the end of the training, so each waits for its result."""
    return Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, run__course__pathway_role__in=PRACTITIONER_TRAINING_ROLES
    ).exclude(Exists(RolePlayResult.objects.filter(person=OuterRef("trainee"), voided_at__isnull=True)))


def candidate_kinds(person):
    return [kind for kind in KINDS if getattr(person, f"maybe_{kind}", False)]


def trainer_days(person):
    """Every day `person` shadowed, supported or led, newest first, with its run."""
    return (
        TrainerDay.objects.filter(run_trainer__trainer=person)
        .select_related("day", "run_trainer__run__course")
        .order_by("-day__date", "pk")
    )


# My pathway: the credentials a person is on, and how to start the others ---------------

# The training that starts each credential's route, by the courses' pathway role.
STARTING_COURSES = {
    CredentialKind.PRACTITIONER: PRACTITIONER_TRAINING_ROLES,
    CredentialKind.SUPERVISOR: (PathwayRole.SUPERVISOR_TRAINING,),
    CredentialKind.COMPLEX_CARE: (PathwayRole.COMPLEX_CARE,),
}
# Checklist items that only say a credential is already held (a prerequisite of another
# route): meeting them does not put someone on that route.
PREREQUISITE_ITEMS = {"practitioner", "supervisor", "practitioner_and_supervisor"}


def started_kinds(checklists, enrolments):
    """The credentials whose route the person is on: they hold it (in any status), applied
    for or took its starting training (from `enrolments`, the person's enrolments with their
    run's course), or met one of its own steps."""
    courses = {
        enrolment.run.course.pathway_role
        for enrolment in enrolments
        if enrolment.status in (*ACTIVE_STATES, EnrolmentStatus.COMPLETED)
    }
    return {
        checklist.kind
        for checklist in checklists
        if checklist.credential is not None
        or any(item.met for item in checklist.items if item.key not in PREREQUISITE_ITEMS)
        or courses & set(STARTING_COURSES.get(checklist.kind, ()))
    }
