import pytest
from django.core.management import call_command

from members.models import User
from supervision.enums import SessionStatus
from supervision.models import Case, SupervisionSession

pytestmark = pytest.mark.django_db


def test_demo_ledger_and_directory(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # a second run adds nothing
    assert capsys.readouterr().out.count("Demo supervision:") == 1
    trainee = User.objects.get(email="trainee@demo.dit-portal.example")
    supervisor = User.objects.get(email="supervisor@demo.dit-portal.example")
    assert Case.objects.filter(practitioner=trainee).count() == 2
    assert SupervisionSession.objects.filter(supervisor=supervisor, status=SessionStatus.PENDING).count() == 2
    assert "Samuel Supervisor" in client.get("/supervision/directory/").text
    client.force_login(supervisor)
    assert "Tamsin Trainee" in client.get("/supervision/supervising/").text
