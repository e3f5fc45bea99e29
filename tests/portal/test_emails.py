import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from dit_portal.celery import app as celery_app
from dit_portal.emails import render_email, send_templated_email


@pytest.fixture
def email_templates(tmp_path, settings):
    folder = tmp_path / "templates" / "demo"
    folder.mkdir(parents=True)
    (folder / "notice_subject.txt").write_text("Hello\n {{ name }}\n")
    (folder / "notice.txt").write_text("Dear {{ name }}, see {{ site_url }}.")
    (folder / "notice.html").write_text(
        '{% extends "emails/base.html" %}{% block content %}<p>Dear {{ name }}</p>{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}]
    return "demo/notice"


@pytest.mark.django_db
def test_templated_email_has_a_text_and_an_html_part(email_templates, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://dit.example"
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(email_templates, {"name": "Ana <b>"}, to="ana@example.org")
    [message] = mail.outbox
    assert message.subject == "Hello Ana <b>"
    assert message.to == ["ana@example.org"]
    assert message.body == "Dear Ana <b>, see https://dit.example."
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Dear Ana &lt;b&gt;</p>" in html


@pytest.mark.django_db
def test_nothing_is_sent_when_the_decision_rolls_back(email_templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send_templated_email(email_templates, {"name": "Ana"}, to="ana@example.org")
        raise RuntimeError("decision failed")
    assert mail.outbox == []


@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_email_through_redis(email_templates):
    """The message goes through the Redis broker to a running Celery worker."""
    assert celery_app.conf.task_always_eager is False
    subject, text, html = render_email(email_templates, {"name": "Worker"})
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            send_templated_email(email_templates, {"name": "Worker"}, to="worker@example.org")
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [m.subject for m in mail.outbox] == [subject]
    assert mail.outbox[0].alternatives[0][0] == html
