import pytest

from tests.reminders import backends


@pytest.fixture(autouse=True)
def _mail_server(settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.RefusingBackend"
    backends.REFUSED.clear()
    yield backends.REFUSED
    backends.REFUSED.clear()


@pytest.fixture
def refused(_mail_server):
    return _mail_server
