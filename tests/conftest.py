"""Shared test plumbing.

Tests marked `needs_postgres`, `needs_redis` or `browser` need a real service. Where the
service is missing they skip on a developer's machine, and fail under CI=true, so CI can
never pass by skipping them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache

from dit_portal.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: service tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if (
        item.get_closest_marker("needs_postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        _missing("needs PostgreSQL: set DATABASE_URL")
    if item.get_closest_marker("needs_redis") and not settings.REDIS_URL:
        _missing("needs Redis: set REDIS_URL")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing(f"needs Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {**settings.STORAGES["private"]["OPTIONS"], "location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tests sign credentials with a key of their own, made once per run (never a real key).
    settings.CREDENTIAL_SIGNING_KEY = _test_signing_key()
    settings.CREDENTIAL_SIGNING_KEY_FILE = ""
    settings.CREDENTIAL_RETIRED_KEYS_FILE = ""


_SIGNING_KEY = []


def _test_signing_key():
    if not _SIGNING_KEY:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        _SIGNING_KEY.append(
            Ed25519PrivateKey.generate()
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
    return _SIGNING_KEY[0]


# The seed functions the data migrations call, in migration order. An app with seeded
# rows adds its function here (and calls the same function from its data migration).
SEEDS = [
    "members.seeds.seed_roles",
    "dit_portal.seeds.seed_public_pages",
    "trainings.seeds.seed_catalogue",
    "trainings.seeds.flag_cpd_events",
    "tests.conftest.seed_accreditation_thresholds",
    "tests.conftest.seed_members_area",
    "dit_portal.seeds_text.follow_the_sources",
    "dit_portal.seeds_text_sources.restore_source_text",
    "trainings.seeds_case_by_case.mark_case_by_case",
    "trainings.seeds_rules.apply_entry_rules",
    "trainings.seeds_rules.list_supervisor_prerequisites",
    "tests.conftest.seed_certificates_providers_reminders",
]


def seed_certificates_providers_reminders():
    """The rows certificates 0002, providers 0002 and reminders 0002 seed (the certificate and
    invoice counters, the fee schedule, the reminder job in beat's schedule), by the same
    functions those migrations run."""
    import importlib

    from django.apps import apps

    for module, function in (
        ("certificates.migrations.0002_certificate_sequence_row", "create_sequence"),
        ("providers.migrations.0002_seed_fee_schedule", "seed"),
        ("reminders.migrations.0002_daily_reminder_schedule", "create_schedule"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


def seed_members_area():
    """The same seed functions as members 0005, reading_list 0002 and portal 0003 call."""
    import importlib

    from django.apps import apps

    from members.models import Network, NetworkContact
    from members.seed import seed_networks
    from reading_list.models import Reference, Topic
    from reading_list.seed import seed_reading_list

    seed_networks(Network, NetworkContact)
    seed_reading_list(Topic, Reference)
    importlib.import_module("dit_portal.migrations.0003_link_networks_and_reading").forwards(apps, None)


def seed_accreditation_thresholds():
    """accreditation/migrations/0002_seed_thresholds calls the same `seed`."""
    from accreditation.models import Threshold
    from accreditation.thresholds import seed

    seed(Threshold)


def restore_seeded_rows():
    """Put back the rows the data migrations seeded (roles, public pages, the course
    catalogue): a transactional test ends by flushing every table, and Django's serialized
    rollback cannot bring them back here, as Playwright's event loop gives the test a
    different connection object. The same functions the migrations call, so the two
    cannot drift apart."""
    from django.utils.module_loading import import_string

    for path in SEEDS:
        import_string(path)()


@pytest.fixture(autouse=True)
def _seeded_rows_in_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
        restore_seeded_rows()


@pytest.fixture
def client():
    """A client whose force_login is a complete login, second factor included (see
    tests/clients.py)."""
    from tests.clients import PortalClient

    return PortalClient()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test asks for the real worker."""
    if request.node.get_closest_marker("needs_redis"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = previous
