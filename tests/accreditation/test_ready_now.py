"""Ready to accredit: the "ready now" filter keeps the people every requirement of whose
credential is met today; the unfiltered queue also lists people not ready yet."""

import pytest

from members import roles
from tests.factories import staff_with_totp

from .helpers import five_day_completer

pytestmark = pytest.mark.django_db


def test_ready_now_lists_only_people_with_every_requirement_met(client):
    ready, _, _ = five_day_completer()
    not_yet, _, _ = five_day_completer(hours=2)
    client.force_login(staff_with_totp(roles.COORDINATOR))

    everyone = client.get("/admin/accreditation/candidate/")
    assert {person.pk for person in everyone.context["cl"].result_list} == {ready.pk, not_yet.pk}

    now = client.get("/admin/accreditation/candidate/?ready=now")
    assert [person.pk for person in now.context["cl"].result_list] == [ready.pk]
    assert "Ready now (every requirement met)" in now.content.decode()


def test_ready_now_reads_the_last_check_until_checked_again(client):
    """The engine over every candidate runs every 15 minutes (and on "Check again now"): a
    person who becomes ready in between appears at the next check."""
    from accreditation import tasks

    first, _, _ = five_day_completer()
    client.force_login(staff_with_totp(roles.COORDINATOR))
    assert tasks.check_ready_to_accredit() == 1

    second, _, _ = five_day_completer()
    kept = client.get("/admin/accreditation/candidate/?ready=now")
    assert [person.pk for person in kept.context["cl"].result_list] == [first.pk]
    assert "Ready at the last check" in kept.text and "Check again now" in kept.text

    again = client.get("/admin/accreditation/candidate/?ready=now&check=again")
    assert again.status_code == 200
    assert {person.pk for person in again.context["cl"].result_list} == {first.pk, second.pk}
    assert tasks.check_ready_to_accredit() == 2


def test_the_admin_home_counts_the_people_ready_at_the_last_check(client):
    five_day_completer()
    five_day_completer()
    five_day_completer(hours=2)
    client.force_login(staff_with_totp(roles.COORDINATOR))
    home = client.get("/admin/")
    [line] = [line for line in home.context["todo_lines"] if line.label == "people ready to accredit now"]
    assert line.count == 2 and line.detail.startswith("checked ")


def test_a_grant_checks_that_person_again(client, django_capture_on_commit_callbacks):
    from accreditation import readiness, services
    from members.enums import CredentialKind

    ready, _, _ = five_day_completer()
    coordinator = staff_with_totp(roles.COORDINATOR)
    assert readiness.check_again()["ids"] == [ready.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.grant_credential(ready, CredentialKind.PRACTITIONER, by=coordinator)
    assert readiness.last_check()["ids"] == []


def test_each_thread_of_a_worker_reads_its_own_page(client):
    """One admin instance answers every thread of a gunicorn worker: the rows read for one
    request's page must not answer another thread's rows."""
    import threading

    from django.contrib import admin

    from accreditation import selectors
    from accreditation.models import Candidate
    from accreditation.pathways import Records

    first, _, _ = five_day_completer()
    second, _, _ = five_day_completer()
    selectors.mark_candidate_kinds([first, second])
    model_admin = admin.site._registry[Candidate]
    model_admin._page.records = Records([first])

    def other_thread():
        model_admin._page.records = Records([second])

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    model_admin._page.request = type("Request", (), {"user": staff_with_totp(roles.COORDINATOR)})()
    assert model_admin._page.records.people == {first.pk: first}
    assert "Grant DIT Practitioner" in str(model_admin.readiness(first))
