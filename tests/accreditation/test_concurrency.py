"""A case study is decided once, even when two coordinators decide at the same moment:
the submission row is locked while its state is checked."""

import pytest

from accreditation import services
from accreditation.enums import CaseStudyStatus
from accreditation.models import CaseStudySubmission
from dit_portal.models import AuditEntry
from members import roles
from tests.concurrency import at_once
from tests.factories import UserFactory

from .helpers import case_study

ROUNDS = 5


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_deciding_one_case_study_at_the_same_moment():
    first = UserFactory(role=roles.COORDINATOR)
    second = UserFactory(role=roles.COORDINATOR)
    for _ in range(ROUNDS):
        submission = case_study(UserFactory(), CaseStudyStatus.SUBMITTED)
        submission.assessor = first
        submission.save(update_fields=["assessor"])

        outcomes = at_once(
            lambda s=submission: services.decide_case_study(s, decision=CaseStudyStatus.PASSED, by=first),
            lambda s=submission: services.decide_case_study(
                s, decision=CaseStudyStatus.FAILED, feedback="Below the standard.", by=second
            ),
            refusal=services.AccreditationError,
        )

        assert outcomes.count("done") == 1, outcomes
        refused = next(outcome for outcome in outcomes if outcome != "done")
        assert "a decision cannot be changed" in refused
        submission.refresh_from_db()
        decided_by = first if submission.status == CaseStudyStatus.PASSED else second
        assert submission.decided_by == decided_by
        assert (
            AuditEntry.objects.filter(
                object_id=str(submission.pk), action__startswith="accreditation.case_study."
            ).count()
            == 1
        )
    assert CaseStudySubmission.objects.filter(status=CaseStudyStatus.SUBMITTED).count() == 0
