"""Links in e-mails use the portal's real address."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory

from dit_portal.checks import site_url_is_set
from dit_portal.site import ServedAddressMiddleware, site_url
from tests.trainings.factories import EnrolmentFactory
from trainings import services


def test_with_debug_off_site_url_must_be_set(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    errors = site_url_is_set()
    assert [error.id for error in errors] == ["portal.E001"]
    with pytest.raises(SystemCheckError, match="SITE_URL is not set"):
        call_command("check")


def test_with_debug_off_and_site_url_set_the_check_passes(settings):
    settings.DEBUG, settings.SITE_URL = False, "https://dit.example.org"
    assert site_url_is_set() == []
    assert site_url() == "https://dit.example.org"


def test_serving_locally_links_point_at_the_address_being_served(settings):
    settings.DEBUG, settings.SITE_URL = True, ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8001")
    seen = {}

    def view(request):
        seen["url"] = site_url()
        return None

    ServedAddressMiddleware(view)(request)
    assert seen["url"] == "http://127.0.0.1:8001"
    assert site_url() == "http://127.0.0.1:8000"  # outside a request: the local default


@pytest.mark.django_db
def test_an_email_sent_while_serving_locally_links_to_that_port(client, settings, django_capture_on_commit_callbacks):
    settings.DEBUG, settings.SITE_URL = True, ""
    settings.ALLOWED_HOSTS = ["localhost"]
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/trainings/mine/{enrolment.pk}/withdraw/", HTTP_HOST="localhost:8001")
    (message,) = mail.outbox
    assert f"http://localhost:8001/trainings/mine/{enrolment.pk}/" in message.body


@pytest.mark.django_db
def test_in_production_emails_link_to_site_url(settings, django_capture_on_commit_callbacks):
    settings.DEBUG, settings.SITE_URL = False, "https://dit.example.org"
    enrolment = EnrolmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_enrolment(enrolment, by=enrolment.trainee)
    assert f"https://dit.example.org/trainings/mine/{enrolment.pk}/" in mail.outbox[0].body


def test_make_run_serves_on_the_port_asked_for(settings):
    import shutil
    import subprocess

    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed to check the Makefile")
    commands = subprocess.run(
        [make, "-n", "run", "PORT=8001"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert "manage.py runserver 127.0.0.1:8001" in commands
    assert "SITE_URL= " in commands  # links follow the address served, not a configured one
