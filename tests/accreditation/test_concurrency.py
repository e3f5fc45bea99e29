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


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_yearly_check_at_the_same_moment_store_and_warn_each_person_once():
    """Each batch writes its results with one upsert, which holds the people's rows until it
    commits; the warning is claimed on rows still unwarned, so the second run finds them
    warned and sends nothing."""
    import datetime

    from accreditation import maintenance
    from accreditation.models import MaintenanceResult
    from dit_portal.models import OutgoingEmail
    from members.enums import CredentialKind

    from .helpers import accredit

    for _ in range(ROUNDS):
        people = [UserFactory() for _ in range(6)]
        for person in people:
            accredit(person, CredentialKind.PRACTITIONER, datetime.date(2020, 1, 1))  # no patient: not met

        outcomes = at_once(
            lambda people=people: maintenance.record_checks(people, 2025),
            lambda people=people: maintenance.record_checks(list(reversed(people)), 2025),
        )

        assert outcomes == ["done", "done"], outcomes
        assert MaintenanceResult.objects.filter(person__in=people, year=2025, passed=False).count() == 6
        for person in people:
            assert OutgoingEmail.objects.filter(to=[person.email]).count() == 1
