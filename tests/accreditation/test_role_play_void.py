"""A wrong role-play result is never edited: a coordinator voids it with a reason (one audit
entry, the person e-mailed); it stops counting, and a later attempt can be recorded."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from accreditation import services
from accreditation.enums import RolePlayOutcome
from accreditation.models import RolePlayResult
from accreditation.pathways import role_play_item
from dit_portal.models import AuditEntry
from members import roles
from tests.factories import UserFactory, staff_with_totp

from .helpers import completed, days_ago

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 31)


@pytest.fixture
def coordinator():
    return staff_with_totp(roles.COORDINATOR)


def trained(person=None):
    """`person` (a new one unless given) with the whole 5-day training completed a month
    before DAY: a role-play is recorded only after it (D24)."""
    person = person or UserFactory()
    completed(person, "5-day-dit-training", ended=(days_ago(0) - DAY).days + 30)
    return person


def test_a_voided_pass_stops_counting_and_a_new_attempt_is_recorded(coordinator, django_capture_on_commit_callbacks):
    person = trained(UserFactory(full_name="Pat Person"))
    result = services.record_role_play(person, outcome=RolePlayOutcome.PASS, assessed_on=DAY, by=coordinator)
    assert role_play_item(person, DAY).met
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.void_role_play(result, reason="Recorded for the wrong trainee.", by=coordinator)
    result.refresh_from_db()
    assert (
        result.is_void and result.voided_by == coordinator and result.void_reason == "Recorded for the wrong trainee."
    )
    assert (result.outcome, result.assessed_on) == (RolePlayOutcome.PASS, DAY)  # kept as recorded, never edited
    assert not role_play_item(person, DAY).met
    entry = AuditEntry.objects.get(action="accreditation.role_play.voided")
    assert entry.actor == coordinator and entry.data["reason"] == "Recorded for the wrong trainee."
    (message,) = mail.outbox
    assert message.to == [person.email] and "withdrawn" in message.subject
    assert "Recorded for the wrong trainee." in message.body
    again = services.record_role_play(
        person, outcome=RolePlayOutcome.FAIL, assessed_on=DAY + datetime.timedelta(days=1), by=coordinator
    )
    assert again.attempt == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_voiding_needs_a_reason(coordinator, reason):
    result = services.record_role_play(trained(), outcome=RolePlayOutcome.FAIL, assessed_on=DAY, by=coordinator)
    with pytest.raises(services.AccreditationError, match="Say why"):
        services.void_role_play(result, reason=reason, by=coordinator)
    result.refresh_from_db()
    assert not result.is_void and not AuditEntry.objects.filter(action="accreditation.role_play.voided").exists()


def test_only_staff_with_the_right_void_and_only_once(coordinator):
    result = services.record_role_play(trained(), outcome=RolePlayOutcome.FAIL, assessed_on=DAY, by=coordinator)
    for outsider in (UserFactory(), UserFactory(role=roles.SUPERVISOR)):
        with pytest.raises(services.AccreditationError, match="may not void"):
            services.void_role_play(result, reason="x", by=outsider)
    services.void_role_play(result, reason="Wrong date", by=staff_with_totp(roles.PROGRAMME_DIRECTOR))
    with pytest.raises(services.AccreditationError, match="void already"):
        services.void_role_play(result, reason="again", by=coordinator)
    assert AuditEntry.objects.filter(action="accreditation.role_play.voided").count() == 1


def test_the_admin_action_asks_for_the_reason_then_voids(client, coordinator):
    person = trained()
    result = services.record_role_play(person, outcome=RolePlayOutcome.REFER, assessed_on=DAY, by=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:accreditation_roleplayresult_changelist")
    chosen = {"action": "void_results", ACTION_CHECKBOX_NAME: [result.pk], "index": 0}
    page = client.post(url, chosen)
    assert page.status_code == 200 and "Why the result is void" in page.text
    missing = client.post(url, {**chosen, "apply": "1", "reason": ""})
    assert "Say why the result is void" in missing.text
    result.refresh_from_db()
    assert not result.is_void
    done = client.post(url, {**chosen, "apply": "1", "reason": "Filmed on another day"}, follow=True)
    assert "Voided 1 result; each person is e-mailed." in done.text
    result.refresh_from_db()
    assert result.is_void and result.void_reason == "Filmed on another day"
    # the change page stays read-only: a result is voided, never edited
    client.post(reverse("admin:accreditation_roleplayresult_change", args=[result.pk]), {"outcome": "pass"})
    assert RolePlayResult.objects.get(pk=result.pk).outcome == RolePlayOutcome.REFER
    client.force_login(person)
    pathway = client.get(reverse("accreditation:my_pathway")).text
    assert "Withdrawn: recorded in error" in pathway and "Filmed on another day" in pathway
