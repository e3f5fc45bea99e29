"""The audit log's "record type" filter offers the portal's own models that have entries,
read with one cheap query, never the framework's or the libraries' tables."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule

from dit_portal.admin import own_app_labels
from dit_portal.audit import log_action
from dit_portal.models import Page
from members import roles
from tests.factories import UserFactory, staff_with_totp
from trainings.models import Course

pytestmark = pytest.mark.django_db


def offered(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    response = client.get(reverse("admin:portal_auditentry_changelist"))
    [record_types] = [spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "type"]
    return dict(record_types.lookup_choices)


def test_only_the_portals_own_models_with_entries_are_offered(client):
    page = Page.objects.get(slug="home")
    person = UserFactory()
    log_action(page, "portal.page.checked")
    log_action(person, "members.user.checked")
    # Framework and library tables that somehow have entries are still not offered.
    log_action(Group.objects.create(name="Readers"), "tests.group.checked")
    log_action(IntervalSchedule.objects.create(every=5, period="minutes"), "tests.schedule.checked")
    choices = offered(client)
    assert choices == {
        str(ContentType.objects.get_for_model(Page).pk): "portal: page",
        str(ContentType.objects.get_for_model(person).pk): "members: user",
    }
    assert str(ContentType.objects.get_for_model(Course).pk) not in choices  # no entries


def test_choosing_a_record_type_lists_its_entries_only(client):
    page = Page.objects.get(slug="home")
    log_action(page, "portal.page.checked")
    log_action(UserFactory(), "members.user.checked")
    client.force_login(staff_with_totp(roles.COORDINATOR))
    page_type = ContentType.objects.get_for_model(Page).pk
    response = client.get(reverse("admin:portal_auditentry_changelist"), {"type": page_type})
    assert [entry.action for entry in response.context["cl"].result_list] == ["portal.page.checked"]


def test_own_apps_are_the_project_packages_not_the_framework_or_libraries():
    labels = set(own_app_labels())
    assert {"portal", "members", "trainings", "supervision", "accreditation", "providers"} <= labels
    assert {"reading_list", "certificates", "reminders"} <= labels
    assert not labels & {"auth", "contenttypes", "sessions", "admin", "account", "mfa", "django_celery_beat"}
