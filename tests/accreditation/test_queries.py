"""N+1 guards: My pathway costs the same with 1 and with 30 of each record; the queue
costs the same whatever the number of candidates beyond one page (the engine runs for the
page shown only)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accreditation.models import MaintenanceResult
from members import roles
from members.enums import CredentialKind
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, RunTrainerFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import Course, TrainerDay

from .helpers import accredit, case, days_ago, recording, session, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _warm_caches():
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for model in ("casestudysubmission", "candidate", "maintenanceresult"):
        ContentType.objects.get_by_natural_key("accreditation", model)
    Group.objects.count()


@pytest.mark.parametrize("rows", [1, 30])
def test_my_pathway(client, rows, django_assert_num_queries):
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER, days_ago(800))
    sup = supervisor()
    for index in range(rows):
        own = case(person, sup, started=300 - index)
        session(person, sup, on=100 - index, cases=[own])
        recording(own)
        MaintenanceResult.objects.create(
            person=person, year=2000 + index, passed=True, items=[], checked_at="2026-01-05T10:00:00Z"
        )
        trainer = RunTrainerFactory(trainer=person, role=TrainerRole.SHADOWING)
        TrainerDay.objects.create(run_trainer=trainer, day=trainer.run.days.first(), role=TrainerRole.SHADOWING)
    client.force_login(person)
    # session, user, four checklists (thresholds, credentials and their history, runs,
    # role-plays, case studies, the ledger's sessions, cases and recordings, profile,
    # letters, supervisees, trainer days; with no role-play result, the completed 5-day and
    # 20-day runs), this year's maintenance check, the routes started, the lists shown, and
    # whether the menu offers "Supervising" (read with the roles)
    with django_assert_num_queries(52):
        response = client.get(reverse("accreditation:my_pathway"))
    assert response.status_code == 200
    assert len(response.context["maintenance_results"]) == rows


@pytest.mark.parametrize("candidates", [30, 60])
def test_ready_to_accredit_queue(client, candidates, django_assert_num_queries):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    run = make_run(
        course=Course.objects.get(slug="dit-for-complex-care"),
        dates=[days_ago(20), days_ago(19)],
        status=RunStatus.CLOSED,
    )
    for _ in range(candidates):
        person = UserFactory()
        accredit(person, CredentialKind.PRACTITIONER)
        EnrolmentFactory(run=run, trainee=person, status=EnrolmentStatus.COMPLETED)
    # the admin's own queries, then a fixed number per row of the page (25 rows), never per
    # candidate in the table
    with django_assert_num_queries(109):
        response = client.get(reverse("admin:accreditation_candidate_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 25
    assert response.text.count("Grant DIT Complex Care practitioner") == 25
