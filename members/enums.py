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
