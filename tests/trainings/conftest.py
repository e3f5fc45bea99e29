from pathlib import Path

import pytest

from members import roles
from tests.factories import UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(role=roles.COORDINATOR, full_name="Cora Coordinator")


@pytest.fixture
def trainee(db):
    return UserFactory(full_name="Tamsin Trainee")


@pytest.fixture
def private_files(settings):
    """The files in the test's private storage, as paths relative to it."""
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])

    def stored():
        return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())

    return stored
