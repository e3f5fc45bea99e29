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
