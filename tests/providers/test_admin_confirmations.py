"""Approving a completer list creates accounts: the admin says who is linked and who gets a
new account, and approves only once that page is confirmed; the list's file link works."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from members import roles
from members.models import User
from providers import services
from providers.enums import ReviewStatus
from tests.factories import UserFactory, staff_with_totp

from .factories import GOOD_ROWS, csv_file, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def completer_list(provider, member):
    UserFactory(email="ana.sousa@example.pt", full_name="Ana Sousa")
    delivery = report(provider, by=member)
    return services.submit_completer_list(provider, delivery=delivery, upload=csv_file(GOOD_ROWS), by=member)


@pytest.fixture
def coordinator_client(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    return client


def test_the_file_link_on_the_review_page_downloads_the_list(coordinator_client, completer_list):
    page = coordinator_client.get(reverse("admin:providers_completerlist_change", args=[completer_list.pk])).text
    link = re.search(r'<a href="([^"]+)">completers.csv</a>', page)
    assert link, "no link to the file"
    response = coordinator_client.get(link.group(1))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_approving_from_the_page_first_says_which_accounts_are_linked_and_created(coordinator_client, completer_list):
    review = reverse("admin:providers_completerlist_review", args=[completer_list.pk])
    users_before = User.objects.count()
    confirmation = coordinator_client.post(review, {"decision": "approve", "note": "Thank you"})
    assert confirmation.status_code == 200
    text = confirmation.text
    assert "linked to the existing account of Ana Sousa" in text
    assert "rui.costa@example.pt" in text and text.count("new account created") == 1
    assert 'name="confirmed"' in text and 'value="Thank you"' in text
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.SUBMITTED and User.objects.count() == users_before
    coordinator_client.post(review, {"decision": "approve", "note": "Thank you", "confirmed": "yes"})
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.APPROVED and completer_list.review_note == "Thank you"
    assert User.objects.count() == users_before + 1
    assert completer_list.rows.get(email="ana.sousa@example.pt").person.full_name == "Ana Sousa"


def test_returning_a_list_needs_no_confirmation(coordinator_client, completer_list):
    review = reverse("admin:providers_completerlist_review", args=[completer_list.pk])
    coordinator_client.post(review, {"decision": "return", "note": "Two names are missing."})
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.REJECTED


def test_the_approve_action_confirms_first(coordinator_client, completer_list):
    changelist = reverse("admin:providers_completerlist_changelist")
    chosen = {"action": "approve_selected", "index": 0, ACTION_CHECKBOX_NAME: [completer_list.pk]}
    confirmation = coordinator_client.post(changelist, chosen)
    assert confirmation.status_code == 200 and "new account created" in confirmation.text
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.SUBMITTED
    coordinator_client.post(changelist, {**chosen, "confirmed": "yes"})
    completer_list.refresh_from_db()
    assert completer_list.review_status == ReviewStatus.APPROVED
