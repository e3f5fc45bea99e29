from django.db import models


class CredentialKind(models.TextChoices):
    PRACTITIONER = "practitioner", "DIT Practitioner"
    SUPERVISOR = "supervisor", "DIT Supervisor"
    TRAINER = "trainer", "AFC (Centre) Trainer"
    COMPLEX_CARE = "complex_care", "DIT Complex Care practitioner"


class CredentialStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    ACCREDITED = "accredited", "Accredited"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


# Accreditation routes and the credential transition table --------------------------------


class CredentialRoute(models.TextChoices):
    FIVE_DAY = "five_day", "5-Day DIT Training"
    TWENTY_DAY = "twenty_day", "20-Day DIT Programme"
    IMPORTED = "imported", "Imported from the existing register"
    SUPERVISOR_TRAINING = "supervisor_training", "DIT Supervisor training"
    UK_TRAINER = "uk_trainer", "UK trainer route"
    COMPLEX_CARE = "complex_care", "DIT for Complex Care"


# The one transition table of a held credential. A credential first recorded (from the
# register, or granted) may start in any status; after that only these moves are allowed.
# Accredited again after lapsed or suspended is a reinstatement; revoked is final.
CREDENTIAL_TRANSITIONS = {
    CredentialStatus.IN_PROGRESS: (CredentialStatus.ACCREDITED,),
    CredentialStatus.ACCREDITED: (CredentialStatus.LAPSED, CredentialStatus.SUSPENDED, CredentialStatus.REVOKED),
    CredentialStatus.LAPSED: (CredentialStatus.ACCREDITED, CredentialStatus.REVOKED),
    CredentialStatus.SUSPENDED: (CredentialStatus.ACCREDITED, CredentialStatus.REVOKED),
    CredentialStatus.REVOKED: (),
}
# Statuses that need the date the credential was first accredited.
ONCE_ACCREDITED_STATES = (
    CredentialStatus.ACCREDITED,
    CredentialStatus.LAPSED,
    CredentialStatus.SUSPENDED,
    CredentialStatus.REVOKED,
)


class RegistrationBody(models.TextChoices):
    HCPC = "HCPC", "HCPC"
    BPC = "BPC", "BPC"
    BPS = "BPS", "BPS"
    UKCP = "UKCP", "UKCP"
    BACP = "BACP", "BACP"
    OTHER = "other", "Another body"


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    LINK = "link", "Link"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a coordinator"
    ACTIVE = "active", "Member"
    DECLINED = "declined", "Not confirmed"
    LEFT = "left", "Left"


# The one transition table of network memberships: from each status, where it may go.
MEMBERSHIP_TRANSITIONS = {
    MembershipStatus.PENDING: (MembershipStatus.ACTIVE, MembershipStatus.DECLINED, MembershipStatus.LEFT),
    MembershipStatus.ACTIVE: (MembershipStatus.LEFT,),
    MembershipStatus.DECLINED: (MembershipStatus.PENDING, MembershipStatus.ACTIVE),
    MembershipStatus.LEFT: (MembershipStatus.PENDING, MembershipStatus.ACTIVE),
}
# A person in one of these may ask to join (again).
JOINABLE_STATES = (MembershipStatus.DECLINED, MembershipStatus.LEFT)
# A person in one of these may leave (or withdraw a request).
LEAVABLE_STATES = (MembershipStatus.PENDING, MembershipStatus.ACTIVE)


class EligibilityRoute(models.TextChoices):
    TRAINING = "training", "Completed the initial DIT training with the Centre"
    CREDENTIAL = "credential", "Holds a DIT practitioner credential"
    DECLARATION = "declaration", "Declared, confirmed by a coordinator"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "In person and online"


# Holding a credential in one of these opens the members area (suspended and revoked do not).
MEMBER_CREDENTIAL_STATES = (CredentialStatus.IN_PROGRESS, CredentialStatus.ACCREDITED, CredentialStatus.LAPSED)
# A practitioner credential in one of these makes a person eligible for a regional network:
# in progress means seeing training cases towards accreditation.
NETWORK_CREDENTIAL_STATES = (CredentialStatus.IN_PROGRESS, CredentialStatus.ACCREDITED)
