"""A session is decided once, even when a confirm and a dispute arrive at the same moment:
the session row is locked while its state is checked."""

import pytest

from dit_portal.models import AuditEntry
from supervision import services
from supervision.enums import SessionStatus
from supervision.models import SupervisionSession
from tests.concurrency import at_once

from .factories import SessionFactory, make_supervisor

ROUNDS = 5


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_confirm_and_a_dispute_at_the_same_moment_decide_once():
    supervisor = make_supervisor()
    for _ in range(ROUNDS):
        session = SessionFactory(supervisor=supervisor)

        outcomes = at_once(
            lambda session=session: services.confirm_session(session, by=supervisor),
            lambda session=session: services.dispute_session(session, by=supervisor, reason="Not as logged."),
            refusal=services.SupervisionError,
        )

        assert outcomes.count("done") == 1, outcomes
        refused = next(outcome for outcome in outcomes if outcome != "done")
        assert "the decision cannot be changed" in refused
        session = SupervisionSession.objects.get(pk=session.pk)
        winner = SessionStatus.CONFIRMED if outcomes[0] == "done" else SessionStatus.DISPUTED
        assert session.status == winner
        decisions = AuditEntry.objects.filter(
            object_id=str(session.pk), action__in=["supervision.session.confirmed", "supervision.session.disputed"]
        )
        assert decisions.count() == 1
