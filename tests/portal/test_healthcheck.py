"""The containers' healthchecks (docker-compose.yml): web asks gunicorn as the TLS proxy
would, beat's scheduler keeps a heartbeat file fresh, the worker answers Celery's ping."""

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from dit_portal import healthcheck
from dit_portal.beat import HeartbeatScheduler
from dit_portal.celery import app as celery_app

from .test_compose import ROOT, compose_config


class Answering:
    """A local HTTP server answering every GET with `status`, recording the requests' headers."""

    def __init__(self, status):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(dict(self.headers))
                self.send_response(status)
                if status == 301:
                    self.send_header("Location", "https://dit-portal.example/health/ready/")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/health/ready/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_web_is_healthy_only_when_the_readiness_check_answers_200(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://dit-portal.example")
    with Answering(200) as server:
        assert healthcheck.main(["web", server.url]) == 0
    # Asked as the proxy asks: the site's host, over https, so neither ALLOWED_HOSTS nor
    # the HTTPS redirect stands in the way.
    assert server.seen[0]["Host"] == "dit-portal.example"
    assert server.seen[0]["X-Forwarded-Proto"] == "https"
    for status in (503, 404, 301):
        with Answering(status) as server:
            assert healthcheck.main(["web", server.url]) == 1, status
            assert len(server.seen) == 1  # a redirect is not followed
    assert healthcheck.main(["web", "http://127.0.0.1:9/health/ready/"]) == 1  # nobody listening
    assert healthcheck.main(["web", "file:///etc/passwd"]) == 1


def test_beat_is_healthy_while_its_heartbeat_is_fresh(settings, tmp_path):
    settings.BEAT_HEARTBEAT_FILE = tmp_path / "heartbeat"
    assert healthcheck.main(["beat"]) == 1  # no heartbeat yet
    settings.BEAT_HEARTBEAT_FILE.touch()
    assert healthcheck.main(["beat"]) == 0
    old = time.time() - healthcheck.HEARTBEAT_MAX_AGE - 5
    os.utime(settings.BEAT_HEARTBEAT_FILE, (old, old))
    assert healthcheck.main(["beat"]) == 1


@pytest.mark.django_db(transaction=True)
def test_every_tick_of_beats_scheduler_touches_the_heartbeat(settings, tmp_path):
    settings.BEAT_HEARTBEAT_FILE = tmp_path / "heartbeat"
    assert celery_app.conf.beat_scheduler == "dit_portal.beat:HeartbeatScheduler"
    scheduler = HeartbeatScheduler(app=celery_app)
    next_in = scheduler.tick()
    assert settings.BEAT_HEARTBEAT_FILE.exists()
    assert 0 <= next_in <= 5  # the next tick, and heartbeat, within seconds
    old = time.time() - 120
    os.utime(settings.BEAT_HEARTBEAT_FILE, (old, old))
    scheduler.tick()
    assert healthcheck.main(["beat"]) == 0


def test_the_heartbeat_file_defaults_to_the_containers_own_temporary_folder():
    # Not on a shared volume: one container's heartbeat says nothing about another's beat.
    assert not str(settings.BEAT_HEARTBEAT_FILE).startswith(str(settings.VAR_DIR))


@pytest.mark.needs_redis
def test_the_workers_healthcheck_pings_that_worker_only(tmp_path):
    """The command of docker-compose.yml's worker healthcheck, run by sh as Docker runs it,
    with the container's HOSTNAME (the worker's node name is celery@HOSTNAME)."""
    check = compose_config(tmp_path, (ROOT / ".env.example").read_text())["services"]["worker"]["healthcheck"]["test"]
    assert check[0] == "CMD-SHELL"
    command = check[1].replace("$$", "$")  # compose's escape for a literal $

    def run(hostname):
        environment = {**os.environ, "HOSTNAME": hostname, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
        return subprocess.run(
            ["/bin/sh", "-c", command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
        )

    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10, hostname="celery@worker-container-1"):
        answered = run("worker-container-1")
        assert answered.returncode == 0, answered.stdout + answered.stderr
        assert "pong" in answered.stdout
        assert run("another-container").returncode != 0
