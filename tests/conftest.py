"""Shared test plumbing.

Tests marked `needs_postgres`, `needs_redis` or `browser` need a real service. Where the
service is missing they skip on a developer's machine, and fail under CI=true, so CI can
never pass by skipping them.
"""

import os
import shutil
import sys

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


def restore_seeded_rows():
    """Re-run the data migrations of the portal's own apps (roles, public pages, the course
    catalogue). A transactional test ends by flushing every table, which removes the rows
    those migrations seeded; Django's serialized rollback cannot bring them back here, as
    Playwright's event loop gives the test a different connection object."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    own_apps = {
        config.label
        for config in apps.get_app_configs()
        if config.path.startswith(str(settings.BASE_DIR)) and not config.path.startswith(sys.prefix)
    }
    loader = MigrationLoader(connection)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        if leaf[0] in own_apps:
            plan += [node for node in loader.graph.forwards_plan(leaf) if node[0] in own_apps and node not in plan]
    for node in plan:
        for operation in loader.graph.nodes[node].operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


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
