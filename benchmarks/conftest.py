"""Benchmarks run with `make bench`, apart from the test suite: speed is measured here,
never asserted in timed tests."""

import pytest

from tests.conftest import _clear_cache, _eager_celery, _test_settings  # noqa: F401 - autouse fixtures


@pytest.fixture
def bench_client(client):
    return client
