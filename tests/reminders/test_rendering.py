"""Reminder e-mails rendered by the sweep's renderer (templates loaded once per sweep) read
exactly as the same templates rendered one at a time through Django's loader, and a batch is
sent over one connection to the mail server, opened again only after a failed send."""

import datetime

import pytest
from django.core import mail
from django.template import Context, Engine
from django.template.loader import get_template, render_to_string
from django.urls import reverse

from dit_portal.emails import render_email
from dit_portal.site import site_url
from reminders import services
from reminders.rules import RULES, Due, TrainingStartsSoon
from tests.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, make_run
from trainings.enums import EnrolmentStatus

from .backends import RefusingBackend

pytestmark = pytest.mark.django_db
TRICKY = 'O\'Brien & <Partners> "quoted"'


def rendered_one_at_a_time(template_name, context):
    """How every e-mail was rendered before the sweep kept its templates: each part found
    through the loader, the HTML part by render_to_string."""
    context = {"site_url": site_url(), **context}
    subject = get_template(f"{template_name}_subject.txt").template.render(Context(context, autoescape=False))
    text = get_template(f"{template_name}.txt").template.render(Context(context, autoescape=False))
    return " ".join(subject.split()), text, render_to_string(f"{template_name}.html", context)


def context_for(rule, due):
    return {
        "person": due.person,
        "rule": rule,
        "missing": due.missing,
        "fix_url": due.fix_url,
        "preferences_url": reverse("reminders:preferences") if rule.optional else "",
        **due.context,
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.kind)
def test_each_kind_of_reminder_reads_the_same_as_rendered_one_at_a_time(rule, settings):
    settings.SITE_URL = "https://dit.example"
    person = UserFactory(full_name=TRICKY)
    day = datetime.date(2026, 12, 31)
    due = Due(
        person=person,
        period_key="2026",
        missing=f"{TRICKY} is missing <b>this</b>.",
        fix_url="/pathway/?a=1&b=2",
        context={
            "deadline": day,
            "ends": day,
            "year": 2026,
            "feedback": f"Feedback from {TRICKY}\non two lines",
            "subject_person": person,
            "provider": TRICKY,
            "invoice": "INV-2026-0001",
            "amount": "GBP 1,000.00",
            "cpd_url": "/supervision/cpd/add/",
        },
    )
    context = context_for(rule, due)
    renderer = services._Renderer(rule)
    expected = rendered_one_at_a_time(rule.template, context)
    assert renderer.render(due) == expected
    assert renderer.render(due) == expected  # and again, from the templates it kept
    assert render_email(rule.template, context) == expected
    subject, text, html = expected
    assert TRICKY in text and "O&#x27;Brien &amp; &lt;Partners&gt;" in html


def test_the_training_reminder_reads_the_same_as_rendered_one_at_a_time():
    run = make_run(starts_in=5, notes=f"Bring {TRICKY}\nand a pen")
    enrolments = [
        EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED, trainee__full_name=TRICKY) for _ in range(2)
    ]
    rule = TrainingStartsSoon()
    today = datetime.date.today()
    rows = list(rule.candidates(today).order_by("pk"))
    assert [row.pk for row in rows] == [enrolment.pk for enrolment in enrolments]
    renderer = services._Renderer(rule)
    for due in rule.build(rows, today):
        assert renderer.render(due) == rendered_one_at_a_time(rule.template, context_for(rule, due))


SESSIONS = []


class SessionBackend(RefusingBackend):
    """Like the SMTP backend: a session opened by open() lasts until close(); send_messages
    opens (and then closes) one of its own only when it finds none open. Each session is the
    list of the addresses sent in it."""

    session = None

    def open(self):
        if self.session is not None:
            return False
        self.session = []
        SESSIONS.append(self.session)
        return True

    def close(self):
        self.session = None

    def send_messages(self, messages):
        opened = self.open()
        try:
            sent = super().send_messages(messages)
            self.session.extend(address for message in messages for address in message.to)
        finally:
            if opened:
                self.close()
        return sent


@pytest.fixture
def sessions(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.SessionBackend"
    SESSIONS.clear()

    def sweep(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_due_reminders(rules=[TrainingStartsSoon()], **kwargs)

    yield sweep
    SESSIONS.clear()


def starting_soon(people):
    run = make_run(starts_in=5)
    return [EnrolmentFactory(run=run, status=EnrolmentStatus.ACCEPTED) for _ in range(people)]


def test_a_batch_is_sent_over_one_connection(sessions):
    enrolments = starting_soon(5)
    outcome = sessions()
    assert (outcome["due"], outcome["sent"]) == (5, 5)
    assert len(SESSIONS) == 1
    assert sorted(SESSIONS[0]) == sorted(enrolment.trainee.email for enrolment in enrolments)


def test_each_batch_has_its_own_connection(sessions):
    starting_soon(5)
    assert sessions(batch_size=2)["sent"] == 5
    assert [len(session) for session in SESSIONS] == [2, 2, 1]


def test_after_a_refused_send_the_next_one_opens_a_new_connection(sessions, refused):
    enrolments = starting_soon(4)
    refused.add(enrolments[0].trainee.email)
    outcome = sessions()
    assert (outcome["sent"], outcome["failed"]) == (3, 1)
    # The refused one was the first sent (in the order claimed); the other three went over a new connection.
    assert [[], [enrolment.trainee.email for enrolment in enrolments[1:]]] == SESSIONS
    assert len(mail.outbox) == 3


def test_a_sweep_loads_each_template_once(sessions, monkeypatch):
    starting_soon(4)
    loaded = []
    found = Engine.get_template
    monkeypatch.setattr(Engine, "get_template", lambda engine, name: loaded.append(name) or found(engine, name))
    assert sessions(batch_size=2)["sent"] == 4
    name = TrainingStartsSoon().template
    assert sorted(loaded) == sorted(f"{name}{part}" for part in ("_subject.txt", ".txt", ".html"))


def test_the_outcome_counts_every_reminder_due(sessions, refused):
    enrolments = starting_soon(3)
    assert sessions()["due"] == 3
    outcome = sessions()
    assert (outcome["due"], outcome["sent before"], outcome["sent"]) == (3, 3, 0)
    assert len(mail.outbox) == len(enrolments)
