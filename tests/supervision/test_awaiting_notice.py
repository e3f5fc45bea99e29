"""The members area tells a supervisor how many supervision sessions wait for them, with a
link to the page where they confirm or dispute them."""

import pytest

from supervision import services
from supervision.enums import SessionStatus
from tests.factories import UserFactory

from .factories import SessionFactory, make_supervisor

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_how_many_sessions_await_them(client):
    supervisor = make_supervisor()
    first, _ = [SessionFactory(supervisor=supervisor) for _ in range(2)]
    SessionFactory(supervisor=supervisor, status=SessionStatus.CONFIRMED)
    SessionFactory()  # someone else's
    client.force_login(supervisor)
    page = client.get("/members/").text
    assert "2 supervision sessions await you" in page
    assert 'href="/supervision/supervising/"' in page

    services.confirm_session(first, by=supervisor)
    assert "1 supervision session awaits you" in client.get("/members/").text


def test_nobody_else_sees_the_notice(client):
    client.force_login(UserFactory())
    assert "await" not in client.get("/members/").text
