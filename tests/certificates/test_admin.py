"""Coordinators issue certificates from a completed run or a granted credential without
retyping anything, issue one by hand, watch a batch and revoke, all through the services."""

import datetime
import re

import pytest
from django.contrib.admin import site as admin_site
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from certificates.enums import BatchStatus, CertificateKind, CertificateStatus
from certificates.models import Certificate, IssueBatch
from members import roles
from members.enums import CredentialKind, CredentialStatus
from members.models import HeldCredential
from members.services import set_credential_status
from tests.factories import UserFactory, staff_with_totp
from tests.trainings.factories import EnrolmentFactory, in_days, make_run
from trainings.enums import EnrolmentStatus
from trainings.models import CourseRun

pytestmark = pytest.mark.django_db
ACTION = "issue_certificates_for_selected"


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR, full_name="Cora Coordinator")
    client.force_login(user)
    return user


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def completed_run():
    run = make_run(dates=[in_days(-10), in_days(-9), in_days(-3)], label="Spring cohort")
    people = ["Ada Lovelace", "Ben Okri", "Cleo Laine"]
    for name in people:
        EnrolmentFactory(run=run, trainee__full_name=name, status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(run=run, trainee__full_name="Dan Dropped", status=EnrolmentStatus.NOT_COMPLETED)
    return run


def test_a_runs_completers_are_certified_in_a_background_batch(
    client, staff, completed_run, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:trainings_courserun_changelist"),
            {"action": ACTION, "index": 0, ACTION_CHECKBOX_NAME: [completed_run.pk]},
            follow=True,
        )
    batch = IssueBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:certificates_issuebatch_change", args=[batch.pk])
    assert "Issuing 3 certificates in the background" in " ".join(messages_of(response))
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.issued, batch.skipped, batch.failed) == (BatchStatus.DONE, 3, 3, 0, 0)
    certificates = Certificate.objects.order_by("holder_name")
    assert [c.holder_name for c in certificates] == ["Ada Lovelace", "Ben Okri", "Cleo Laine"]
    for certificate in certificates:
        assert certificate.title == completed_run.course.title
        assert certificate.kind == CertificateKind.COURSE_COMPLETION
        assert certificate.achieved_on == in_days(-3)
        assert certificate.source.run == completed_run
        assert certificate.issued_by == staff
        assert certificate.pdf

    page = client.get(reverse("admin:certificates_issuebatch_change", args=[batch.pk]))
    assert "3 of 3 (100%): 3 issued, 0 already certified, 0 failed" in page.text
    assert 'http-equiv="refresh"' not in page.text


def test_certifying_a_run_again_skips_those_already_certified(
    staff, completed_run, client, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:trainings_courserun_changelist"),
                {"action": ACTION, "index": 0, ACTION_CHECKBOX_NAME: [completed_run.pk]},
            )
    second = IssueBatch.objects.order_by("-pk").first()
    assert (second.issued, second.skipped) == (0, 3)
    assert Certificate.objects.count() == 3


def test_a_batch_reports_who_could_not_be_certified(staff, client, django_capture_on_commit_callbacks):
    run = make_run(dates=[in_days(-2)])
    EnrolmentFactory(run=run, trainee__full_name="Named Person", status=EnrolmentStatus.COMPLETED)
    EnrolmentFactory(run=run, trainee__full_name="", trainee__email="nameless@example.org", status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:trainings_courserun_changelist"), {"action": ACTION, ACTION_CHECKBOX_NAME: [run.pk]})
    batch = IssueBatch.objects.get()
    assert (batch.issued, batch.failed) == (1, 1)
    assert batch.problems == [
        "nameless@example.org: nameless@example.org has no full name in their profile; certificates print it."
    ]


def test_a_run_nobody_completed_offers_nothing(staff, client):
    run = make_run()
    EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED)
    response = client.post(
        reverse("admin:trainings_courserun_changelist"),
        {"action": ACTION, "index": 0, ACTION_CHECKBOX_NAME: [run.pk]},
        follow=True,
    )
    assert "Nothing to certify" in " ".join(messages_of(response))
    assert not IssueBatch.objects.exists()


def test_a_granted_credential_is_certified_at_once(staff, client):
    person = UserFactory(full_name="Priya Practitioner")
    credential = set_credential_status(person, CredentialKind.PRACTITIONER, CredentialStatus.ACCREDITED)
    response = client.post(
        reverse("admin:members_heldcredential_changelist"),
        {"action": ACTION, "index": 0, ACTION_CHECKBOX_NAME: [credential.pk]},
        follow=True,
    )
    certificate = Certificate.objects.get()
    assert f">{certificate.display_number}</a>" in " ".join(messages_of(response))
    assert (certificate.holder, certificate.title, certificate.kind) == (
        person,
        "DIT Practitioner",
        CertificateKind.CREDENTIAL,
    )
    assert certificate.achieved_on == credential.accredited_on
    assert certificate.source == credential


def test_a_credential_in_progress_is_not_certified(staff, client):
    credential = set_credential_status(UserFactory(), CredentialKind.SUPERVISOR, CredentialStatus.IN_PROGRESS)
    client.post(
        reverse("admin:members_heldcredential_changelist"),
        {"action": ACTION, "index": 0, ACTION_CHECKBOX_NAME: [credential.pk]},
    )
    assert not Certificate.objects.exists()


def test_the_action_is_offered_only_to_those_who_may_issue(rf):
    watcher = UserFactory()
    group = Group.objects.create(name="Run watchers")
    group.permissions.add(Permission.objects.get(codename="view_courserun"))
    watcher.groups.add(group)
    coordinator = UserFactory(role=roles.COORDINATOR)
    model_admin = admin_site._registry[CourseRun]
    for user, offered in ((watcher, False), (coordinator, True)):
        request = rf.get("/admin/trainings/courserun/")
        request.user = user
        assert (ACTION in model_admin.get_actions(request)) is offered
    assert ACTION in admin_site._registry[HeldCredential].get_actions(request)


def test_issuing_one_by_hand(staff, client):
    person = UserFactory(full_name="Paula Paper")
    url = reverse("admin:certificates_certificate_add")
    assert "Issue the certificate" in client.get(url).text
    data = {
        "holder": person.pk,
        "kind": CertificateKind.COURSE_COMPLETION,
        "title": "5-Day DIT Training",
        "description": "",
        "achieved_on": "2019-05-10",
        "source_reference": "Paper register 2019",
    }
    response = client.post(url, data, follow=True)
    certificate = Certificate.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:certificates_certificate_change", args=[certificate.pk])
    assert certificate.achieved_on == datetime.date(2019, 5, 10)
    assert certificate.source_reference == "Paper register 2019"


def test_the_holder_is_found_by_typing_not_chosen_from_every_account(staff, client):
    people = [UserFactory(full_name="Alex Morgan") for _ in range(5)]
    url = reverse("admin:certificates_certificate_add")
    page = client.get(url).text
    holder = re.search(r'<select name="holder".*?</select>', page, re.S).group(0)
    assert "admin-autocomplete" in holder and holder.count("<option") == 1  # the empty choice only
    assert "autocomplete.js" in page
    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "Alex Morgan", "app_label": "certificates", "model_name": "certificate", "field_name": "holder"},
    ).json()["results"]
    assert {result["text"] for result in found} == {person.name_and_email() for person in people}
    # Sent back with an error, the chosen person stays chosen, named with their address.
    page = client.post(url, {"holder": people[3].pk, "title": ""}).text
    assert f'<option value="{people[3].pk}" selected>{people[3].name_and_email()}</option>' in page


def test_issuing_by_hand_explains_what_is_wrong_and_issues_nothing(staff, client):
    nameless = UserFactory(full_name="")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("admin:certificates_certificate_add"),
        {"holder": nameless.pk, "kind": "credential", "title": "", "achieved_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert "has no full name in their profile" in response.text
    assert "This field is required" in response.text
    assert "cannot be in the future" in response.text
    assert not Certificate.objects.exists()


def test_revoking_in_the_admin_needs_a_reason(staff, client, issue):
    certificate = issue(UserFactory(full_name="Rita Revoked"))
    url = reverse("admin:certificates_certificate_revoke", args=[certificate.pk])
    assert "Revoke the certificate" in client.get(url).text
    assert "This field is required" in client.post(url, {"reason": ""}).text
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    client.post(url, {"reason": "Wrong course."})
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revocation_reason, certificate.revoked_by) == (
        CertificateStatus.REVOKED,
        "Wrong course.",
        staff,
    )


def test_the_rule_fields_of_a_certificate_are_read_only(staff, client, issue):
    certificate = issue(UserFactory(full_name="Rosa Readonly"))
    url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    page = client.get(url)
    assert 'name="holder_name"' not in page.text
    assert 'name="status"' not in page.text
    client.post(url, {"holder_name": "Someone Else", "status": "revoked"})
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.status) == ("Rosa Readonly", CertificateStatus.VALID)


def test_coordinators_cannot_delete_certificates(staff, client, issue):
    certificate = issue(UserFactory(full_name="Della Delete"))
    assert client.get(reverse("admin:certificates_certificate_delete", args=[certificate.pk])).status_code == 403
