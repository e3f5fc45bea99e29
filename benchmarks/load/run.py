"""The load benchmark of `make bench`: the portal served by gunicorn on a dataset the size of
real use, driven by locust (headless) over the key pages as their real users, and the same on
a 100-row dataset. Prints one table and checks the goals; exits 1 when one is missed.

  python -m benchmarks.load.run [--scale 1] [--seconds 60] [--rebuild] [--port 8765]

Each dataset lives in its own PostgreSQL database (dit_bench_<scale>), built once with
`manage.py generate_scale_data` and reused by later runs (--rebuild builds it again).
DATABASE_URL says which server to use (its database name is replaced); REDIS_URL, when set,
is the cache the served portal uses, as in production.
"""

import argparse
import csv
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.load.pages import ADMIN, BASELINE, EXPORT, LAYOUT, MEMBER, PAGES, PUBLIC, SWEEP, TRIVIAL

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SMALL_SCALE = 0.002  # about 100 rows of each kind
GOALS = {"public_median": 5.0, "member_median": 3.0, "admin_growth": 2.0, "p95_over_median": 3.0}
USERS_PER_ROLE = int(os.environ.get("BENCH_USERS_PER_ROLE", "3"))
# Each page asked alone, one request at a time, this many times (pages interleaved): what a page
# costs, compared across sizes and with its base page, without the load's queueing (on 2 CPUs the
# load saturates the machine, and the full-size export alone keeps one CPU busy).
QUIET_ROUNDS = int(os.environ.get("BENCH_QUIET_ROUNDS", "15"))


def database_url(name):
    parts = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL to a postgres:// address.")
    return urlunsplit(parts._replace(path=f"/{name}"))


def environment(url, port, static_root):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(static_root),
        "PRIVATE_MEDIA_ROOT": str(Path(tempfile.gettempdir()) / f"dit-bench-private-{urlsplit(url).path[1:]}"),
        "CERTIFICATE_VERIFICATION_RATE": "100000/m",  # the load is one address; the limit is for people
        "PYTHONPATH": str(ROOT),
        # Each dataset its own cache keys: what one caches (the last "ready now" check) must not
        # answer for the other.
        "CACHE_KEY_PREFIX": f"dit-bench-{urlsplit(url).path[1:]}",
    }


def manage(env, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    ).stdout


def _server():
    """A connection to the PostgreSQL server itself, to make databases."""
    import psycopg2

    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True
    return connection


def ensure_dataset(scale, rebuild, env):
    """The database for `scale`, built when missing (or when --rebuild asks)."""
    from psycopg2 import sql

    name = "dit_bench_" + f"{scale:g}".replace(".", "_")
    env = {**env, "DATABASE_URL": database_url(name)}
    server = _server()  # not as a context manager: that would open a transaction
    try:
        cursor = server.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() and not rebuild:
            print(f"Dataset at scale {scale:g}: reusing database {name} (--rebuild builds it again)")
            return env
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        server.close()
    print(f"Dataset at scale {scale:g}: building database {name}")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "generate_scale_data", "--scale", str(scale))
    return env


def serve(env, port):
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "dit_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--workers",
            os.environ.get("BENCH_WORKERS", "3"),
            "--threads",
            "4",
            "--no-control-socket",  # several runs (or another gunicorn) would share one control socket
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=1)  # noqa: S310 - our own server
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not answer on /health/")


def stop(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def load(env, port, context, seconds):
    """Run locust; {page name: (requests, failures, median ms, p95 ms)}."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "bench"
        users = USERS_PER_ROLE * 5 + 1  # the simulated people of each role, and one exporting
        subprocess.run(
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(ROOT / "benchmarks/load/locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "BENCH_CONTEXT": json.dumps(context), "BENCH_USERS_PER_ROLE": str(USERS_PER_ROLE)},
            check=False,
        )
        with open(f"{prefix}_stats.csv", newline="") as stats:
            return {
                row["Name"]: (
                    int(row["Request Count"]),
                    int(row["Failure Count"]),
                    float(row["Median Response Time"]),
                    float(row["95%"]),
                )
                for row in csv.DictReader(stats)
                if row["Name"] != "Aggregated"
            }


def quiet(context, port, rounds=QUIET_ROUNDS):
    """{page name: (median ms, n)}: each page asked alone by its user, one request at a time,
    the pages interleaved, after the load stopped."""
    times = {name: [] for name in context["pages"]}
    for _ in range(rounds):
        for name, page in context["pages"].items():
            headers = {}
            if page["role"] != "visitor":
                headers["Cookie"] = f"{context['cookie_name']}={context['sessions'][page['role']]}"
            request = urllib.request.Request(f"http://127.0.0.1:{port}{page['path']}", headers=headers)
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own server
                response.read()
                if response.status != 200 or response.url != request.full_url:
                    sys.exit(f"{name}: {page['path']} answered {response.status} at {response.url}")
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: (statistics.median(values), len(values)) for name, values in times.items()}


def measure(env, port, seconds):
    prepared = subprocess.run(
        [PYTHON, "-m", "benchmarks.load.prepare"], cwd=ROOT, env=env, text=True, capture_output=True
    )
    if prepared.returncode:
        sys.exit(f"Preparing the pages failed:\n{prepared.stderr[-3000:]}")
    context = json.loads(prepared.stdout)
    server = serve(env, port)
    try:
        stats = load(env, port, context, seconds)
        context["quiet"] = quiet(context, port)
    finally:
        stop(server)
    return context, stats


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return f"{os.cpu_count()} CPUs ({cpu}), {memory} GB memory, Python {platform.python_version()}, PostgreSQL"


def sweep_report(label, sweep):
    """The reminder sweep's line (how many were due, sent, and the time per e-mail over how many)
    and what went wrong, if anything: an e-mail counted sent that the mail backend never got, or
    a rule that failed."""
    outcome, delivered, seconds = sweep["outcome"], sweep.get("delivered", 0), sweep["seconds"]
    due, sent = outcome.get("due", 0), outcome.get("sent", 0)
    others = ", ".join(f"{key} {value}" for key, value in outcome.items() if key not in ("due", "sent"))
    if not due:
        line = f"{SWEEP}{label}: {seconds * 1000:.0f} ms, nothing due"
    else:
        per_email = f"{seconds * 1000 / delivered:.1f} ms per e-mail (n={delivered})" if delivered else "none delivered"
        line = f"{SWEEP}{label}: {due} due, {sent} sent, in {seconds * 1000:.0f} ms: {per_email}"
    if others:
        line += f" ({others})"
    problem = ""
    if delivered != sent:
        problem = f"{SWEEP}{label}: {sent} counted sent, {delivered} delivered to the mail backend"
    elif outcome.get("rules failed"):
        problem = f"{SWEEP}{label}: {outcome['rules failed']} rule(s) failed"
    return line, problem


def report(full, small, scale, seconds):
    """Print the table; return the goals missed."""
    context, stats = full
    small_context, small_stats = small
    calm, small_calm = context["quiet"], small_context["quiet"]
    trivial, layout = calm[TRIVIAL][0], calm[LAYOUT][0]
    missed = []
    header = (
        f"{'page':<38} {'quiet':>7} {'n':>3} {'x base':>7} {'100-row':>8} {'x 100-row':>9}"
        f" {'queries':>7} {'100-row q':>9} {'| load n':>8} {'median':>8} {'p95':>8} {'p95/med':>8} {'errors':>6}"
    )
    print(
        f"\nLoad benchmark: scale {scale:g} against 100 rows, {seconds}s each, {USERS_PER_ROLE} simulated people"
        f" per role, on {machine()}"
    )
    print(header)
    print("-" * len(header))
    for name in [*PAGES, EXPORT]:
        requests, failures, median, p95 = stats.get(name, (0, 0, 0.0, 0.0))
        kind = PAGES[name][0] if name in PAGES else ADMIN
        # The export has no quiet measure: its load median stands for it at both sizes.
        alone, rounds = calm.get(name, (median, requests))
        small_alone = small_calm.get(name, (small_stats.get(name, (0, 0, 0.0, 0.0))[2], 0))[0]
        # Public pages are compared with /health/, member pages with the signed-in layout page.
        base = layout if kind == MEMBER or name == LAYOUT else trivial
        queries = context["queries"].get(name, "")
        small_queries = small_context["queries"].get(name, "")
        ratio = alone / base if base else 0
        growth = alone / small_alone if small_alone else 0
        print(
            f"{name:<38} {alone:>5.0f}ms {rounds:>3} {ratio:>6.1f}x {small_alone:>6.0f}ms {growth:>8.1f}x"
            f" {queries!s:>7} {small_queries!s:>9} {requests:>8} {median:>6.0f}ms {p95:>6.0f}ms"
            f" {p95 / median if median else 0:>7.1f}x {failures:>6}"
        )
        if not requests:
            missed.append(f"{name}: no request measured")
        if failures:
            missed.append(f"{name}: {failures} errors")
        if name == EXPORT or kind == BASELINE:
            continue
        if kind == PUBLIC and ratio > GOALS["public_median"]:
            missed.append(f"{name}: median {ratio:.1f}x /health/ (goal {GOALS['public_median']:g}x)")
        if kind == MEMBER and ratio > GOALS["member_median"]:
            missed.append(f"{name}: median {ratio:.1f}x the signed-in layout page (goal {GOALS['member_median']:g}x)")
        if kind == MEMBER and queries != small_queries:
            missed.append(f"{name}: {queries} queries at full size, {small_queries} at 100 rows (goal: the same)")
        if kind == ADMIN and growth > GOALS["admin_growth"]:
            missed.append(f"{name}: {growth:.1f}x its 100-row time (goal {GOALS['admin_growth']:g}x)")
        if median and p95 / median > GOALS["p95_over_median"]:
            missed.append(f"{name}: p95 {p95 / median:.1f}x its median (goal {GOALS['p95_over_median']:g}x)")
    for label, sweep in (("", context["sweep"]), (" at 100 rows", small_context["sweep"])):
        line, problem = sweep_report(label, sweep)
        print(line)
        if problem:
            missed.append(problem)
    print("\nquiet: each page's median asked alone (n requests, pages interleaved, after the load); load: under")
    print("the locust load (n requests). Goals: public pages' quiet median within 5x /health/'s; member pages'")
    print("within 3x the signed-in layout page's, with the same queries at both sizes (the fixed accounts grow")
    print("with the data); admin pages' within 2x their 100-row one; under load, each page's p95 within 3x its")
    print("median; no errors.")
    for line in missed:
        print(f"MISSED: {line}")
    if not missed:
        print("All goals met.")
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "60")))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT") or 8765))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as static_root:
        env = environment(database_url("postgres"), options.port, static_root)
        manage(env, "collectstatic", "--no-input", "-v", "0")
        results = {}
        for scale in (SMALL_SCALE, options.scale):
            scaled = ensure_dataset(scale, options.rebuild, env)
            results[scale] = measure(
                environment(scaled["DATABASE_URL"], options.port, static_root), options.port, options.seconds
            )
    missed = report(results[options.scale], results[SMALL_SCALE], options.scale, options.seconds)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
