"""Benchmarks run with `make bench`, apart from the test suite: speed is measured here,
never asserted in timed tests.

benchmarks/test_admin_scale.py records each admin page's median time at 100 and at
100,000 rows, and the CSV export's peak memory; the summary at the end prints them and
fails the run when a page at 100k rows takes more than twice its time at 100, or the
export peaks above 100 MB.

`make bench BENCH_SCALE=0.1` also shrinks the sized benchmarks that read `bench_scale()`
(the yearly maintenance check: 5,000 people at scale 1)."""

import os

import pytest

from tests.conftest import _clear_cache, _eager_celery, _test_settings, client  # noqa: F401 - the suite's fixtures

TIMINGS = {}  # (page, "100" | "100k") -> (median of its rounds in seconds, rounds)
EXPORT_PEAKS = {}  # "100" | "100k" -> bytes
MAX_RATIO = 2.0
MAX_EXPORT_BYTES = 100 * 1024 * 1024

# Lines a benchmark reports beyond pytest-benchmark's table (ratios, query counts).
REPORT = []


def bench_scale():
    """BENCH_SCALE from the environment (`make bench BENCH_SCALE=0.1`); 1 when unset."""
    return float(os.environ.get("BENCH_SCALE") or 1)


@pytest.fixture
def report():
    return REPORT.append


def _scale_report():
    lines, failures = [], []
    pages = sorted({page for page, _size in TIMINGS})
    for page in pages:
        small = TIMINGS.get((page, "100"))
        # The large size: 100k rows for the admin, 50k people for the register.
        size, large = next(((s, t) for (p, s), t in TIMINGS.items() if p == page and s != "100"), (None, None))
        if small is None or large is None:
            continue
        (small, small_rounds), (large, large_rounds) = small, large
        ratio = large / small
        lines.append(
            f"{page:<32} median {small * 1000:8.1f} ms at 100 (n={small_rounds})"
            f"   {large * 1000:8.1f} ms at {size} (n={large_rounds})   ratio {ratio:4.2f}"
        )
        if ratio > MAX_RATIO:
            failures.append(f"{page}: {ratio:.2f}x slower at {size} rows (at most {MAX_RATIO}x)")
    for size, peak in sorted(EXPORT_PEAKS.items()):
        lines.append(f"CSV export of every application at {size}: peak {peak / 1024 / 1024:.1f} MB (traced)")
        if peak > MAX_EXPORT_BYTES:
            failures.append(f"CSV export at {size} peaked at {peak / 1024 / 1024:.1f} MB (at most 100 MB)")
    return lines, failures


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("measured")
        for line in REPORT:
            terminalreporter.write_line(line)
    lines, failures = _scale_report()
    if not lines:
        return
    terminalreporter.section("at scale: the admin at 100 vs 100,000 rows, the register at 100 vs 50,000 people")
    for line in lines + [f"FAILED: {failure}" for failure in failures]:
        terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    _lines, failures = _scale_report()
    if failures and session.exitstatus == 0:
        session.exitstatus = 1
