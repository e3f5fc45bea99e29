import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import call_command
from django.utils import timezone

from members import roles
from members.enums import CredentialKind
from members.management.commands.seed_demo import DEMO_PEOPLE
from members.models import User
from members.roles import can_use_admin, has_role
from members.services import holds_credential
from trainings import selectors
from trainings.demo import DEMO_RUNS
from trainings.enums import EnrolmentStatus, RunStatus
from trainings.models import Attendance, CourseRun

pytestmark = pytest.mark.django_db


def test_demo_data_has_one_person_per_role_and_prints_logins_once(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    for email in ["trainee@", "practitioner@", "supervisor@", "coordinator@", "director@", "provider@"]:
        assert email in first
    assert first.count("password: ") == len(DEMO_PEOPLE)

    call_command("seed_demo")
    second = capsys.readouterr().out
    assert "password" not in second.replace("their logins", "")
    assert User.objects.filter(email__in=[person[0] for person in DEMO_PEOPLE]).count() == len(DEMO_PEOPLE)

    coordinator = User.objects.get(email="coordinator@demo.dit-portal.example")
    assert has_role(coordinator, roles.COORDINATOR) and can_use_admin(coordinator)
    assert is_mfa_enabled(coordinator, ["totp"])
    supervisor = User.objects.get(email="supervisor@demo.dit-portal.example")
    assert holds_credential(supervisor, CredentialKind.SUPERVISOR)
    assert not can_use_admin(User.objects.get(email="provider@demo.dit-portal.example"))


def test_demo_password_logs_in(client, capsys):
    call_command("seed_demo")
    line = next(line for line in capsys.readouterr().out.splitlines() if "trainee@" in line)
    password = line.split("password: ")[1].split()[0]
    response = client.post("/accounts/login/", {"login": "trainee@demo.dit-portal.example", "password": password})
    assert response["Location"] == "/members/"


def test_demo_data_includes_open_live_trainings(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo trainings: 5 live (one of them full, with a waiting list)" in out
    assert "Demo trainings already exist." in out
    assert CourseRun.objects.filter(course__isnull=False, label__in=[row[1] for row in DEMO_RUNS]).count() == 6
    html = client.get("/trainings/").text
    assert "Demo cohort, online" in html
    assert "Demo CPD Day" in html


def test_demo_data_includes_network_meetings_and_a_member_who_attended(client, capsys):
    from django.utils import timezone

    from members.models import Network
    from members.selectors import network_cpd_attendance

    call_command("seed_demo")
    call_command("seed_demo")
    assert capsys.readouterr().out.count("Demo network meetings: 3") == 1
    network = Network.objects.get(slug="north-west")
    assert network.meetings.filter(counts_as_yearly_cpd_event=True).count() == 1
    practitioner = User.objects.get(email="practitioner@demo.dit-portal.example")
    attended = network.meetings.get(attendance__person=practitioner)
    assert network_cpd_attendance(practitioner, timezone.localdate(attended.starts_at).year)
    html = client.get(network.get_absolute_url()).text
    assert "Demo meeting: DIT and endings" in html


def test_demo_data_lets_a_newcomer_try_everything(capsys):
    call_command("seed_demo")
    twenty_day = CourseRun.objects.get(label="Demo cohort, online")
    assert twenty_day.course.slug == "20-day-dit-programme" and twenty_day.is_online
    assert twenty_day.joining_details

    full = CourseRun.objects.get(label="Demo refresher (full)")
    assert full.status == RunStatus.FULL
    assert selectors.places_taken(full) == full.capacity
    assert [e.trainee.email for e in selectors.waiting_list(full)] == ["waiting@demo.dit-portal.example"]

    past = CourseRun.objects.get(label="Demo cohort, attendance to record")
    assert past.days.order_by("-date").first().date < timezone.localdate()
    attending = past.enrolments.filter(status=EnrolmentStatus.ACCEPTED)
    assert attending.count() == 2
    assert not Attendance.objects.filter(enrolment__in=attending).exists()  # waiting to be recorded

    practitioner = User.objects.get(email="practitioner@demo.dit-portal.example")
    assert holds_credential(practitioner, CredentialKind.PRACTITIONER)


def test_show_logins_prints_working_logins_again(client, capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    coordinator_line = next(line for line in first.splitlines() if "coordinator@" in line)
    secret = coordinator_line.split("TOTP secret: ")[1].strip()

    call_command("seed_demo", "--show-logins")
    again = capsys.readouterr().out
    assert again.count("password: ") == len(DEMO_PEOPLE)
    assert f"TOTP secret: {secret}" in again  # the staff's authenticator keeps working
    line = next(line for line in again.splitlines() if "trainee@" in line)
    password = line.split("password: ")[1].split()[0]
    response = client.post("/accounts/login/", {"login": "trainee@demo.dit-portal.example", "password": password})
    assert response["Location"] == "/members/"
