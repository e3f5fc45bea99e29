"""The load `make bench` puts on the portal (run.py starts locust with BENCH_CONTEXT, the JSON
prepare.py printed). BENCH_USERS_PER_ROLE simulated people per role, each going round their
own pages with a short pause between them (people read what they asked for), and one
coordinator exporting every application as CSV every few seconds."""

import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, constant, task

from benchmarks.load.pages import EXPORT

CONTEXT = json.loads(os.environ.get("BENCH_CONTEXT", "{}"))
PER_ROLE = int(os.environ.get("BENCH_USERS_PER_ROLE", "1"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.1, 0.3)

    def on_start(self):
        session = CONTEXT.get("sessions", {}).get(self.role)
        if session:
            self.client.cookies.set(CONTEXT["cookie_name"], session)
        mine = [(name, page["path"]) for name, page in CONTEXT.get("pages", {}).items() if page["role"] == self.role]
        # Each person starts somewhere else in the round, so a short run still reaches every page.
        start = random.randrange(len(mine)) if mine else 0
        self.rounds = itertools.cycle(mine[start:] + mine[:start])

    @task
    def next_page(self):
        name, path = next(self.rounds)
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")


class Visitor(Person):
    role = "visitor"
    fixed_count = PER_ROLE


class Trainee(Person):
    role = "trainee"
    fixed_count = PER_ROLE


class Supervisor(Person):
    role = "supervisor"
    fixed_count = PER_ROLE


class ProviderUser(Person):
    role = "provider"
    fixed_count = PER_ROLE


class Coordinator(Person):
    role = "coordinator"
    fixed_count = PER_ROLE


class Exporter(HttpUser):
    """The CSV export of every application: the admin action with "select all", streamed."""

    wait_time = constant(5)
    fixed_count = 1
    changelist = "/admin/trainings/enrolment/"

    def on_start(self):
        self.client.cookies.set(CONTEXT["cookie_name"], CONTEXT["sessions"]["coordinator"])

    @task
    def export(self):
        page = self.client.get(self.changelist, name="(export: the changelist for its form)")
        token = CSRF_INPUT.search(page.text)
        data = {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": "0",
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        # Locust times a streamed response to its first byte; the export is timed to its last.
        started = time.perf_counter()
        response = self.client.post(self.changelist, data=data, name="(export: first byte)", stream=True)
        lines = sum(chunk.count(b"\n") for chunk in response.iter_content(65536))
        failed = response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/csv")
        self.environment.events.request.fire(
            request_type="POST",
            name=EXPORT,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=lines,
            response=response,
            context={},
            exception=RuntimeError(f"{response.status_code}, {lines} lines") if failed or lines < 2 else None,
        )
