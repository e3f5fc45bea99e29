"""The coordinators' admin: decisions as actions through the services, rule fields
read-only, plain edits audit-logged."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from dit_portal.audit import entries_for
from members import roles
from supervision.enums import RecordingRating, SessionStatus
from tests.factories import staff_with_totp

from .factories import CaseFactory, CpdFactory, RecordingFactory, SessionFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = staff_with_totp(roles.COORDINATOR, full_name="Cora Coordinator")
    client.force_login(user)
    return user


def run_action(client, model, action, objects, **extra):
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra}
    return client.post(reverse(f"admin:supervision_{model}_changelist"), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_session_status_is_read_only_in_the_admin(client, staff):
    session = SessionFactory()
    response = client.get(reverse("admin:supervision_supervisionsession_change", args=[session.pk]))
    form = response.context["adminform"].form
    assert set(form.fields) == {"note"}
    client.post(
        reverse("admin:supervision_supervisionsession_change", args=[session.pk]),
        {"note": "Corrected by phone", "status": SessionStatus.CONFIRMED, "hours": "7"},
    )
    response = client.post(
        reverse("admin:supervision_supervisionsession_change", args=[session.pk]), {"note": "Saw Jane Doe"}
    )
    assert "looks like a person" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PENDING and str(session.hours) == "1.00"
    assert session.note == "Corrected by phone"
    [entry] = entries_for(session)
    assert entry.action == "supervision.supervisionsession.changed_in_admin"
    assert entry.data == {"changed": {"note": {"old": "", "new": "Corrected by phone"}}}


def test_confirm_action_goes_through_the_service(client, staff, django_capture_on_commit_callbacks):
    pending, decided = SessionFactory(), SessionFactory(status=SessionStatus.DISPUTED)
    asked = run_action(client, "supervisionsession", "confirm_sessions", [pending, decided])
    assert "Why you decide for the supervisor" in asked.text
    missing = run_action(client, "supervisionsession", "confirm_sessions", [pending], apply="1", on_behalf_reason="")
    assert "Say why you decide for the supervisor." in missing.text
    pending.refresh_from_db()
    assert pending.status == SessionStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            client,
            "supervisionsession",
            "confirm_sessions",
            [pending, decided],
            apply="1",
            on_behalf_reason="Supervisor confirmed by phone; away from e-mail.",
        )
    pending.refresh_from_db()
    decided.refresh_from_db()
    assert (pending.status, pending.decided_by) == (SessionStatus.CONFIRMED, staff)
    assert pending.decided_on_behalf and pending.on_behalf_reason == "Supervisor confirmed by phone; away from e-mail."
    assert decided.status == SessionStatus.DISPUTED and not decided.decided_on_behalf
    assert any("confirmed for the supervisor" in message for message in messages_of(response))
    assert any("decision cannot be changed" in message for message in messages_of(response))
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [pending.practitioner.email, pending.supervisor.email]
    )
    to_supervisor = next(message for message in mail.outbox if message.to == [pending.supervisor.email])
    assert "on your behalf" in to_supervisor.body and "away from e-mail" in to_supervisor.body
    entry = entries_for(pending)[0]
    assert entry.data["on_behalf_reason"] == "Supervisor confirmed by phone; away from e-mail."


def test_dispute_action_asks_for_a_reason(client, staff):
    session = SessionFactory()
    response = run_action(client, "supervisionsession", "dispute_sessions", [session])
    assert "Dispute these sessions" in response.content.decode()
    response = run_action(client, "supervisionsession", "dispute_sessions", [session], apply="1", reason="")
    assert "This field is required" in response.content.decode()
    run_action(client, "supervisionsession", "dispute_sessions", [session], apply="1", reason="Supervisor on leave.")
    session.refresh_from_db()
    assert session.status == SessionStatus.DISPUTED
    assert session.dispute_reason == "Supervisor on leave."


def test_rating_actions(client, staff):
    recording = RecordingFactory()
    reason = {"apply": "1", "on_behalf_reason": "Rated at the supervisor's request."}
    assert "Why you decide for the supervisor" in run_action(client, "recording", "rate_not_yet", [recording]).text
    recording.refresh_from_db()
    assert recording.rating != RecordingRating.NOT_YET
    run_action(client, "recording", "rate_not_yet", [recording], **reason)
    recording.refresh_from_db()
    assert recording.rating == RecordingRating.NOT_YET
    run_action(client, "recording", "rate_pass", [recording], **reason)
    recording.refresh_from_db()
    assert (recording.rating, recording.rated_by) == (RecordingRating.PASS, staff)
    assert recording.rated_on_behalf and recording.on_behalf_reason == "Rated at the supervisor's request."
    response = run_action(client, "recording", "rate_not_yet", [recording], **reason)
    assert any("cannot be rated not yet" in message for message in messages_of(response))


def test_case_confirmation_action_and_audited_edits(client, staff):
    case = CaseFactory(ended_on=days_ago(1), code="A-01")
    run_action(client, "case", "confirm_close_supervision", [case])
    case.refresh_from_db()
    assert case.close_supervision_confirmed_by == staff
    url = reverse("admin:supervision_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    assert "close_supervision_confirmed_at" not in form.fields
    data = {
        "code": "John Smith",
        "purpose": case.purpose,
        "supervisor": case.supervisor_id,
        "started_on": case.started_on.isoformat(),
        "ended_on": case.ended_on.isoformat(),
        "note": "",
        "therapy_hours-TOTAL_FORMS": "0",
        "therapy_hours-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert "looks like a person" in response.content.decode()
    case.refresh_from_db()
    assert case.code == "A-01"
    response = client.post(url, {**data, "code": "A-02"})
    assert response.status_code == 302
    entry = entries_for(case).get(action="supervision.case.changed_in_admin")
    assert entry.data == {"changed": {"code": {"old": "A-01", "new": "A-02"}}}


def test_cpd_edit_is_audited(client, staff):
    record = CpdFactory(title="CPD Day")
    url = reverse("admin:supervision_cpdrecord_change", args=[record.pk])
    client.post(
        url,
        {
            "person": record.person_id,
            "title": "CPD Day 2026",
            "kind": record.kind,
            "date": record.date.isoformat(),
            "hours": "6",
        },
    )
    entry = entries_for(record).get()
    assert entry.data == {"changed": {"title": {"old": "CPD Day", "new": "CPD Day 2026"}}}


def test_changelists_search_and_filter(client, staff):
    session = SessionFactory(practitioner__full_name="Findable Person")
    SessionFactory()
    response = client.get(reverse("admin:supervision_supervisionsession_changelist"), {"q": "Findable"})
    assert list(response.context["cl"].result_list) == [session]
    response = client.get(reverse("admin:supervision_supervisionsession_changelist"), {"status__exact": "confirmed"})
    assert list(response.context["cl"].result_list) == []
