from django.db import models


class CasePurpose(models.TextChoices):
    PRACTITIONER_TRAINING = "practitioner_training", "Practitioner training case"
    SUPERVISOR_TRAINING = "supervisor_training", "Supervisor training case"
    ORDINARY = "ordinary", "DIT case"


# Cases that are part of a training route and so must name the supervisor.
TRAINING_PURPOSES = (CasePurpose.PRACTITIONER_TRAINING, CasePurpose.SUPERVISOR_TRAINING)


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"


class SupervisionKind(models.TextChoices):
    FORMAL = "formal", "Formal"
    PEER = "peer", "Peer"


class SessionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting the supervisor's confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    WITHDRAWN = "withdrawn", "Withdrawn by you"


# The one transition table of a supervision session: the named supervisor decides once
# (confirmed or disputed); until then the practitioner may withdraw a session logged by
# mistake. Every outcome stays on the ledger; the practitioner logs a corrected session.
SESSION_TRANSITIONS = {
    SessionStatus.PENDING: (SessionStatus.CONFIRMED, SessionStatus.DISPUTED, SessionStatus.WITHDRAWN),
    SessionStatus.CONFIRMED: (),
    SessionStatus.DISPUTED: (),
    SessionStatus.WITHDRAWN: (),
}
# Who makes each move: the named supervisor decides, the practitioner withdraws.
SUPERVISOR_DECISIONS = (SessionStatus.CONFIRMED, SessionStatus.DISPUTED)
PRACTITIONER_DECISIONS = (SessionStatus.WITHDRAWN,)


class RecordingPhase(models.TextChoices):
    INITIAL = "initial", "Initial phase"
    MIDDLE = "middle", "Middle phase"
    ENDING = "ending", "Ending phase"


class RecordingRating(models.TextChoices):
    AWAITING = "awaiting", "Awaiting rating"
    NOT_YET = "not_yet", "Not yet"
    PASS = "pass", "Pass"


# D4: a recording is rated pass or not yet; a later pass replaces an earlier not yet, and a
# pass is final.
RATING_TRANSITIONS = {
    RecordingRating.AWAITING: (RecordingRating.PASS, RecordingRating.NOT_YET),
    RecordingRating.NOT_YET: (RecordingRating.PASS,),
    RecordingRating.PASS: (),
}


class CpdKind(models.TextChoices):
    CPD_DAY = "cpd_day", "CPD Day"
    REFRESHER = "refresher", "Refresher"
    NETWORK_MEETING = "network_meeting", "Network meeting"
    OTHER = "other", "Other CPD event"


class Modality(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    BOTH = "both", "Online and in person"


# A directory filter for "online" also finds supervisors offering both, and so on.
MODALITY_MATCHES = {
    Modality.ONLINE: (Modality.ONLINE, Modality.BOTH),
    Modality.IN_PERSON: (Modality.IN_PERSON, Modality.BOTH),
    Modality.BOTH: (Modality.BOTH,),
}
