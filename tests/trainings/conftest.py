from pathlib import Path

import pytest
from django.core.files.storage import storages

from members import roles
from tests.factories import UserFactory
from trainings.models import EnrolmentAnswer


@pytest.fixture(autouse=True)
def _evidence_in_test_storage(_test_settings, monkeypatch):
    """A FileField evaluates its storage callable once, when models load, so the
    per-test "private" storage of tests/conftest.py would not reach it: point the
    evidence field at it explicitly."""
    monkeypatch.setattr(EnrolmentAnswer._meta.get_field("evidence"), "storage", storages["private"])


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
