"""N+1 guards: My pathway costs the same with 1 and with 30 of each record; the queue
costs the same whatever the number of candidates beyond one page (the engine runs for the
page shown only)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accreditation import readiness
from accreditation.enums import CaseStudyStatus, LetterWriter, RolePlayOutcome
from accreditation.models import MaintenanceResult
from members import roles
from members.enums import CredentialKind
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, RunTrainerFactory, make_run
from trainings.enums import EnrolmentStatus, RunStatus, TrainerRole
from trainings.models import Course, TrainerDay

from .helpers import accredit, case, case_study, completed, days_ago, letter, recording, role_play, session, supervisor

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
    """Every table the four checklists read grows with `rows`: cases, sessions, recordings,
    role-plays, case studies, letters, trainings, trainer days, supervisees, the supervisors
    named (each with their own credential history) and the maintenance results."""
    person = UserFactory()
    accredit(person, CredentialKind.PRACTITIONER, days_ago(800))
    accredit(person, CredentialKind.SUPERVISOR, days_ago(700))
    letter(person)
    if rows > 1:
        letter(person, LetterWriter.LINE_MANAGER)
    for index in range(rows):
        sup = supervisor()
        own = case(person, sup, started=300 - index)
        session(person, sup, on=100 - index, cases=[own])
        recording(own)
        role_play(person, RolePlayOutcome.REFER, on=days_ago(400 - index), attempt=index + 1)
        case_study(person, CaseStudyStatus.REFERRED, number=index + 1)
        completed(person, "5-day-dit-training", ended=500 + index)
        supervisee = UserFactory()
        case(supervisee, person, started=200 - index)
        session(supervisee, person, on=50, cases=[])
        MaintenanceResult.objects.create(
            person=person, year=2000 + index, passed=True, items=[], checked_at="2026-01-05T10:00:00Z"
        )
        trainer = RunTrainerFactory(trainer=person, role=TrainerRole.SHADOWING)
        TrainerDay.objects.create(run_trainer=trainer, day=trainer.run.days.first(), role=TrainerRole.SHADOWING)
    client.force_login(person)
    # session and user; the four checklists' rows, each table read once: thresholds,
    # credentials, credential histories (the person's and every supervisor named), trainings,
    # role-plays, cases, sessions and the cases they discussed, recordings, case studies,
    # profile, letters, the supervisees (cases, sessions), trainer days and their runs'
    # lengths; this year's maintenance check (its own reads); the menu (pages, whether it
    # offers "Supervising") and the maintenance results listed
    with django_assert_num_queries(27) as captured:
        response = client.get(reverse("accreditation:my_pathway"))
    assert response.status_code == 200
    assert len(response.context["maintenance_results"]) == rows
    assert len(response.context["case_studies"]) == rows
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert "trainings_trainerday" in read  # the trainer checklist got to its days (step 1 met)


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
    # the admin's own queries, the page's candidates' flags, then the engine's reads for the
    # whole page at once (25 rows), never per row or per candidate in the table
    with django_assert_num_queries(14):
        response = client.get(reverse("admin:accreditation_candidate_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 25
    assert response.text.count("Grant DIT Complex Care practitioner") == 25
    # "ready now" reads the last check (made by the scheduled job), one more list of ids
    readiness.check_again()
    with django_assert_num_queries(14):
        response = client.get(reverse("admin:accreditation_candidate_changelist") + "?ready=now")
    assert len(response.context["cl"].result_list) == 25
    assert response.text.count("Grant DIT Complex Care practitioner") == 25
