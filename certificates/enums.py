from django.db import models

from dit_portal import achievements


class CertificateKind(models.TextChoices):
    COURSE_COMPLETION = achievements.COURSE_COMPLETION, "Course completion"
    CREDENTIAL = achievements.CREDENTIAL, "Credential"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"


# The one transition table of a certificate: a valid one may be revoked; a revoked one stays so
# (issue a new certificate instead).
CERTIFICATE_TRANSITIONS = {
    CertificateStatus.VALID: (CertificateStatus.REVOKED,),
    CertificateStatus.REVOKED: (),
}


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Issuing"
    DONE = "done", "Done"
    FAILED = "failed", "Stopped by an error"


# A batch that was interrupted while running (a worker lost) may be run again: every
# certificate it issues is idempotent per source, so a second pass skips those issued.
BATCH_TRANSITIONS = {
    BatchStatus.QUEUED: (BatchStatus.RUNNING, BatchStatus.FAILED),
    BatchStatus.RUNNING: (BatchStatus.RUNNING, BatchStatus.DONE, BatchStatus.FAILED),
    BatchStatus.DONE: (),
    # A batch stopped by an error is resumed by a coordinator once the cause is fixed.
    BatchStatus.FAILED: (BatchStatus.RUNNING,),
}
FINISHED_BATCH_STATES = (BatchStatus.DONE, BatchStatus.FAILED)
