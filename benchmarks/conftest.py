"""Benchmarks run with `make bench`, apart from the test suite: speed is measured here,
never asserted in timed tests."""

import pytest

from tests.conftest import _clear_cache, _eager_celery, _test_settings  # noqa: F401 - autouse fixtures

# Lines a benchmark reports beyond pytest-benchmark's table (ratios, query counts).
REPORT = []


@pytest.fixture
def bench_client(client):
    return client


@pytest.fixture
def report():
    return REPORT.append


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("measured")
        for line in REPORT:
            terminalreporter.write_line(line)
