import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import call_command

from members import roles
from members.enums import CredentialKind
from members.management.commands.seed_demo import DEMO_PEOPLE
from members.models import User
from members.roles import can_use_admin, has_role
from members.services import holds_credential

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
    assert User.objects.filter(email__in=[person[0] for person in DEMO_PEOPLE]).count() == 7

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
    assert "Demo live trainings: 4 open runs." in capsys.readouterr().out
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
