"""A batch a killed worker leaves behind: a redelivered run counts what was issued (from
the certificates themselves) instead of resetting to "issued 0, skipped N", and a
coordinator resumes a batch that stopped."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.enums import BatchStatus
from certificates.models import Certificate, IssueBatch
from dit_portal.audit import entries_for
from members import roles
from tests.factories import staff_with_totp
from tests.trainings.factories import EnrolmentFactory, in_days, make_run
from trainings.enums import EnrolmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return staff_with_totp(roles.COORDINATOR, full_name="Cora Coordinator")


def queued_batch(coordinator, people=4):
    run = make_run(dates=[in_days(-10), in_days(-3)])
    for number in range(people):
        EnrolmentFactory(run=run, trainee__full_name=f"Person {number}", status=EnrolmentStatus.COMPLETED)
    return services.start_batch(run.certificate_achievements(), title="Spring cohort", by=coordinator)


def killed_after(batch, issued):
    """What a worker killed mid-batch leaves: some certificates issued, the batch running."""
    for request in batch.requests[:issued]:
        services._issue_one(batch, request, *_lookups(batch))
    IssueBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING, progress_at=timezone.now() - datetime.timedelta(minutes=11)
    )


def _lookups(batch):
    from django.contrib.contenttypes.models import ContentType

    from members.models import User

    holders = User.objects.in_bulk([request["holder"] for request in batch.requests])
    types = {ct.pk: ct for ct in ContentType.objects.filter(pk__in={r["source_type"] for r in batch.requests})}
    return holders, types


def test_a_redelivered_batch_counts_what_it_issued_before_the_kill(coordinator):
    batch = queued_batch(coordinator)
    killed_after(batch, issued=2)
    services.run_batch(batch.pk)  # the broker hands the task to another worker
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.skipped, batch.failed) == (BatchStatus.DONE, 4, 0, 0)
    assert Certificate.objects.filter(batch=batch).count() == 4


def test_issued_is_counted_from_the_certificates_while_it_runs(coordinator):
    batch = queued_batch(coordinator, people=3)
    killed_after(batch, issued=2)
    IssueBatch.objects.filter(pk=batch.pk).update(issued=0)  # a counter that trailed
    services.run_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.issued == Certificate.objects.filter(batch=batch).count() == 3


def test_a_coordinator_resumes_a_stuck_batch_from_the_to_do_list(
    client, coordinator, django_capture_on_commit_callbacks
):
    batch = queued_batch(coordinator)
    killed_after(batch, issued=1)
    client.force_login(coordinator)
    index = client.get(reverse("admin:index")).text
    assert "1 issuing batch has stopped: resume." in index
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:certificates_issuebatch_changelist"),
            {"action": "resume_batches", "index": 0, ACTION_CHECKBOX_NAME: [batch.pk]},
            follow=True,
        )
    assert "1 batch resumed: a worker issues what is missing." in response.text
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.skipped) == (BatchStatus.DONE, 4, 0)
    assert [entry.action for entry in entries_for(batch)][:1] == ["certificates.batch.done"]
    assert "certificates.batch.resumed" in [entry.action for entry in entries_for(batch)]
    assert "issuing batch has stopped" not in client.get(reverse("admin:index")).text


def test_a_batch_that_is_moving_is_not_resumed(client, coordinator):
    batch = queued_batch(coordinator)
    IssueBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, progress_at=timezone.now())
    with pytest.raises(services.CertificateError, match="is not stuck"):
        services.resume_batch(batch, by=coordinator)
    assert not [entry for entry in entries_for(batch) if entry.action == "certificates.batch.resumed"]


@pytest.mark.needs_redis
def test_with_the_broker_down_starting_a_batch_succeeds_and_the_batch_shows_as_stuck(
    coordinator, django_capture_on_commit_callbacks, caplog
):
    from dit_portal import degraded
    from dit_portal.celery import app as celery_app
    from tests.brokers import celery_broker
    from tests.own_redis import free_port

    degraded.forget_logged()
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        assert celery_app.conf.task_always_eager is False
        batch = queued_batch(coordinator)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED
    assert "could not be handed to a worker" in caplog.text
    assert not services.stuck_batches().exists()
    IssueBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert list(services.stuck_batches()) == [batch]
