import pytest

from tests.factories import UserFactory

from .factories import make_supervisor


@pytest.fixture
def practitioner(db):
    return UserFactory(full_name="Priya Practitioner", email="priya@example.org")


@pytest.fixture
def supervisor(db):
    return make_supervisor(full_name="Sam Supervisor", email="sam@example.org")


@pytest.fixture
def other_supervisor(db):
    return make_supervisor(full_name="Olu Other", email="olu@example.org")
