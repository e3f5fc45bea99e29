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
