from django.db import models


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    FULL = "full", "Full"
    CLOSED = "closed", "Applications closed"
    CANCELLED = "cancelled", "Cancelled"


# The statuses a coordinator may move a run to. Open and full also follow the places taken.
RUN_STATUS_CHANGES = {
    RunStatus.DRAFT: (RunStatus.OPEN, RunStatus.CANCELLED),
    RunStatus.OPEN: (RunStatus.CLOSED, RunStatus.CANCELLED),
    RunStatus.FULL: (RunStatus.CLOSED, RunStatus.CANCELLED),
    RunStatus.CLOSED: (RunStatus.OPEN, RunStatus.CANCELLED),
    RunStatus.CANCELLED: (),
}

# Runs the public sees in the "Live trainings" list.
LISTED_RUN_STATES = (RunStatus.OPEN, RunStatus.FULL)
# Runs whose page the public may open (a draft is not public yet).
PUBLIC_RUN_STATES = (RunStatus.OPEN, RunStatus.FULL, RunStatus.CLOSED, RunStatus.CANCELLED)
# Runs on which coordinators may still decide on applications and offer places.
DECIDING_RUN_STATES = (RunStatus.OPEN, RunStatus.FULL, RunStatus.CLOSED)


class DeliveryMode(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class TrainerRole(models.TextChoices):
    LEAD = "lead", "Lead trainer"
    SUPPORT = "support", "Support trainer"
    SHADOWING = "shadowing", "Shadowing"


# Trainers named on the public run page; shadowing trainers are still training.
PUBLIC_TRAINER_ROLES = (TrainerRole.LEAD, TrainerRole.SUPPORT)


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", "Yes or no (must be yes)"
    NUMBER = "number", "Number, at least a minimum"
    TEXT = "text", "Text (must not be empty)"
    REGISTRATION = "registration", "Registration body and number"
    CREDENTIAL = "credential", "Credential held (read from the portal, no question asked)"
    DIT_PRACTITIONER = (
        "dit_practitioner",
        "DIT practitioner: the practitioner credential in any status but revoked, or a completed 5-day or "
        "20-day training (read from the portal)",
    )
    NO_NEEDED = "no_needed", "Yes or no (must be no)"
    TRAINED_IN_DIT = (
        "trained_in_dit",
        "Trained in DIT before: a completed 5-day or 20-day training, or a DIT credential (read from the portal)",
    )
    NOT_HOLDING = (
        "not_holding",
        "Does not hold the credential, accredited or suspended (read from the portal)",
    )
    SUPERVISOR_ROUTE = (
        "supervisor_route",
        "Supervisor route prerequisites: DIT cases since accreditation, verified supervision experience, "
        "both letters of support (read from the portal)",
    )
    SUPERVISOR_CASES = (
        "supervisor_cases",
        "Supervisor route: DIT cases logged since the practitioner accreditation date (read from the portal)",
    )
    SUPERVISION_EXPERIENCE = (
        "supervising_years",
        "Supervisor route: general supervision experience, verified by a coordinator (read from the portal)",
    )
    SUPPORT_LETTERS = (
        "support_letters",
        "Supervisor route: both letters of support, from an accredited DIT supervisor and the line manager "
        "(read from the portal)",
    )


# Requirements the applicant answers in the form; the others are read from the portal.
ASKED_ANSWER_TYPES = (
    AnswerType.YES_NO,
    AnswerType.NO_NEEDED,
    AnswerType.NUMBER,
    AnswerType.TEXT,
    AnswerType.REGISTRATION,
)
READ_FROM_PORTAL = (
    AnswerType.CREDENTIAL,
    AnswerType.DIT_PRACTITIONER,
    AnswerType.TRAINED_IN_DIT,
    AnswerType.NOT_HOLDING,
    AnswerType.SUPERVISOR_ROUTE,
    AnswerType.SUPERVISOR_CASES,
    AnswerType.SUPERVISION_EXPERIENCE,
    AnswerType.SUPPORT_LETTERS,
)
# Answer types that name a credential kind.
CREDENTIAL_ANSWER_TYPES = (AnswerType.CREDENTIAL, AnswerType.NOT_HOLDING)


class PathwayRole(models.TextChoices):
    """What a course is to the accreditation pathways; the engine finds courses by it, never
    by slug, so a renamed or second 5-day course still counts."""

    NONE = "", "None"
    FIVE_DAY = "five_day", "5-day route (practitioner)"
    TWENTY_DAY = "twenty_day", "20-day route (practitioner)"
    COMPLEX_CARE = "complex_care", "DIT for Complex Care"
    SUPERVISOR_TRAINING = "supervisor_training", "Supervisor training"
    REFRESHER = "refresher", "Refresher"


# Courses whose completion makes a person trained in DIT (D3) and lead to practitioner status.
PRACTITIONER_TRAINING_ROLES = (PathwayRole.FIVE_DAY, PathwayRole.TWENTY_DAY)


class EvidenceRule(models.TextChoices):
    NONE = "none", "No upload"
    OPTIONAL = "optional", "Upload optional"
    REQUIRED = "required", "Upload required"


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Place offered"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Not accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Offered place declined"
    OFFER_EXPIRED = "offer_expired", "Offer expired"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"
    RUN_CANCELLED = "run_cancelled", "Training cancelled"


# Still in play: one of these per person and run at most.
ACTIVE_STATES = (
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.ACCEPTED,
)
# Ended without a place; the person may apply to the same run again.
ENDED_WITHOUT_PLACE_STATES = (
    EnrolmentStatus.WITHDRAWN,
    EnrolmentStatus.DECLINED,
    EnrolmentStatus.OFFER_EXPIRED,
)
# Awaiting a coordinator's decision.
DECIDABLE_STATES = (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED)
# Holding one of the run's places (capacity counts these).
PLACE_HOLDING_STATES = (
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.ACCEPTED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NOT_COMPLETED,
)
# On the attendance register.
ATTENDING_STATES = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)


class EnrolmentAction(models.TextChoices):
    """What can happen to an application; each is one service function."""

    ACCEPT = "accept", "accepted"
    WAITLIST = "waitlist", "put on the waiting list"
    REJECT = "reject", "rejected"
    OFFER = "offer", "offered a place"
    ACCEPT_OFFER = "accept_offer", "accepted"
    DECLINE_OFFER = "decline_offer", "declined"
    EXPIRE_OFFER = "expire_offer", "expired"
    WITHDRAW = "withdraw", "withdrawn"
    CANCEL_RUN = "cancel_run", "ended by the run's cancellation"
    COMPLETE = "complete", "completed"


# The one transition table of applications: action -> (states it starts from, states it
# leads to). Services check it (trainings.services._require) and pages ask the model
# (`enrolment.can("withdraw")`, `{% if enrolment|can:"withdraw" %}`). Other rules
# (capacity, deadlines, eligibility) are the services' to check on top.
ENROLMENT_TRANSITIONS = {
    EnrolmentAction.ACCEPT: (DECIDABLE_STATES, (EnrolmentStatus.ACCEPTED,)),
    EnrolmentAction.WAITLIST: ((EnrolmentStatus.APPLIED,), (EnrolmentStatus.WAITLISTED,)),
    EnrolmentAction.REJECT: (DECIDABLE_STATES, (EnrolmentStatus.REJECTED,)),
    EnrolmentAction.OFFER: ((EnrolmentStatus.WAITLISTED,), (EnrolmentStatus.OFFERED,)),
    EnrolmentAction.ACCEPT_OFFER: ((EnrolmentStatus.OFFERED,), (EnrolmentStatus.ACCEPTED,)),
    EnrolmentAction.DECLINE_OFFER: ((EnrolmentStatus.OFFERED,), (EnrolmentStatus.DECLINED,)),
    EnrolmentAction.EXPIRE_OFFER: ((EnrolmentStatus.OFFERED,), (EnrolmentStatus.OFFER_EXPIRED,)),
    EnrolmentAction.WITHDRAW: (ACTIVE_STATES, (EnrolmentStatus.WITHDRAWN,)),
    EnrolmentAction.CANCEL_RUN: (ACTIVE_STATES, (EnrolmentStatus.RUN_CANCELLED,)),
    EnrolmentAction.COMPLETE: (ATTENDING_STATES, (EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)),
}


def enrolment_can(status, action):
    """Whether an application in `status` may go through `action` (an EnrolmentAction)."""
    return status in ENROLMENT_TRANSITIONS[EnrolmentAction(action)][0]


def states_that_can(action):
    """The states from which `action` is open (for filtering querysets)."""
    return ENROLMENT_TRANSITIONS[EnrolmentAction(action)][0]


def enrolment_actions(status):
    """The actions open to an application in `status`."""
    return {action for action, (sources, _targets) in ENROLMENT_TRANSITIONS.items() if status in sources}
