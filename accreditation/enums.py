from django.db import models


class RolePlayOutcome(models.TextChoices):
    PASS = "pass", "Pass"
    REFER = "refer", "Refer (retake)"
    FAIL = "fail", "Fail (re-attend the training)"


class CaseStudyStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting review"
    PASSED = "passed", "Passed"
    REFERRED = "referred", "Referred for resubmission"
    FAILED = "failed", "Failed"


# The one transition table of a case-study submission: decided once, never changed after.
# A referred study is followed by a new submission, not by a new decision.
CASE_STUDY_TRANSITIONS = {
    CaseStudyStatus.SUBMITTED: (CaseStudyStatus.PASSED, CaseStudyStatus.REFERRED, CaseStudyStatus.FAILED),
    CaseStudyStatus.PASSED: (),
    CaseStudyStatus.REFERRED: (),
    CaseStudyStatus.FAILED: (),
}


class LetterWriter(models.TextChoices):
    DIT_SUPERVISOR = "dit_supervisor", "An accredited DIT supervisor who knows your clinical work"
    LINE_MANAGER = "line_manager", "Your line manager"


class PracticeRoute(models.TextChoices):
    """The two ways to the practitioner credential."""

    FIVE_DAY = "five_day", "via the 5-Day DIT Training"
    TWENTY_DAY = "twenty_day", "via the 20-Day DIT Programme"
