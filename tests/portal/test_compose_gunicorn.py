"""The `web` service started as docker-compose.yml starts it, as far as a machine without a
Docker engine allows: the image's environment (Dockerfile ENV) under the service's effective
environment (`docker-compose config` with `.env.example` as `.env`), every container folder
moved under a temporary root, collectstatic run as the image build runs it, then the
service's own command (migrate, then gunicorn with gunicorn.conf.py). A person signs in,
uploads a case study and downloads it again, through requests carrying what the TLS proxy
adds; the file must be in the folder the `private-files` volume holds, and nothing may be
written outside the volumes."""

import hashlib
import html
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import Resolver404, resolve, reverse

from accreditation.models import CaseStudySubmission
from tests.factories import UserFactory
from tests.files import PDF_BYTES

from .test_compose import ROOT, compose_config, dockerfile_instructions, mounts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.needs_postgres, pytest.mark.needs_redis]

CLIENT_ADDRESS = "203.0.113.7"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The test database, as a DATABASE_URL."""
    config = connection.settings_dict
    password = f":{urllib.parse.quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or "5432"
    return f"postgres://{urllib.parse.quote(config['USER'])}{password}@{host}:{port}/{config['NAME']}"


def image_environment():
    environment = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction == "ENV":
            environment.update(word.split("=", 1) for word in shlex.split(arguments))
    return environment


def moved_under(root, environment):
    """Every container folder (an absolute path value) moved under `root`."""
    return {
        name: str(root / value.lstrip("/")) if value.startswith("/srv/") else value
        for name, value in environment.items()
    }


class ThroughTheProxy:
    """HTTP to gunicorn with what Caddy adds (Host of SITE_URL, X-Forwarded-Proto https,
    X-Forwarded-For with the client's address). Keeps cookies itself: over https they are
    Secure and __Host- prefixed, which a cookie jar would not send over plain http."""

    def __init__(self, port, site_url):
        self.base = f"http://127.0.0.1:{port}"
        self.site_url = site_url
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path, data=None, headers=None):
        request = urllib.request.Request(  # noqa: S310 - http to the local gunicorn
            self.base + path,
            data=data,
            headers={
                "Host": urllib.parse.urlsplit(self.site_url).netloc,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": CLIENT_ADDRESS,
                "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
                **(headers or {}),
            },
        )
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, body

    def get(self, path):
        return self.request(path)

    def post(self, path, fields, files=()):
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, content_type, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            data=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Origin": self.site_url,
                "Referer": self.site_url + path,
            },
        )

    def csrf_token(self):
        return next(value for name, value in self.cookies.items() if name.endswith("csrftoken"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def collected_static():
    """What `collectstatic` writes in the image build (Dockerfile: with the image's
    environment, DEBUG off), made once and kept under test-output/ by the content of what it
    collects: compressing every file takes minutes on a busy machine."""
    digest = hashlib.sha256()
    sources = [*sorted((ROOT / "static").rglob("*")), ROOT / "requirements" / "base.txt", ROOT / "Dockerfile"]
    for path in sources:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    cached = ROOT / "test-output" / f"collected-static-{digest.hexdigest()[:16]}"
    if not (cached / "staticfiles.json").exists():
        building = cached.with_name(cached.name + f".{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        environment = {
            **image_environment(),
            "STATIC_ROOT": str(building),
            "SECRET_KEY": "collectstatic-only",
            "DEBUG": "false",
            "PATH": "/usr/bin:/bin",
        }
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert collected.returncode == 0, collected.stderr
        for older in cached.parent.glob("collected-static-*"):
            if older != building:
                shutil.rmtree(older, ignore_errors=True)
        building.rename(cached)
    return cached


def stop(server, port):
    """Stop the service's command (sh, then gunicorn and its workers) and wait until the port
    is closed, so no connection to the test database is left."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    server.wait(timeout=30)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return
        time.sleep(0.1)


def wait_until_serving(client, server, log):
    for _ in range(600):
        if server.poll() is not None:
            pytest.fail(f"the web service's command ended ({server.returncode}):\n{log.read_text()}")
        try:
            status, _, _ = client.get("/health/")
        except OSError:
            time.sleep(0.1)
            continue
        if status == 200:
            return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")


def test_the_web_service_stores_uploads_on_its_volume_and_serves_static_files(tmp_path):
    project, root = tmp_path / "project", tmp_path / "root"
    project.mkdir()
    web = compose_config(project, (ROOT / ".env.example").read_text())["services"]["web"]
    port = free_port()

    # The container's environment: the image's, then the service's; folders under `root`,
    # and the addresses of what the compose network would provide (PostgreSQL, Redis).
    service_environment = moved_under(root, {**image_environment(), **web["environment"]})
    service_environment.update(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        EMAIL_HOST="",  # no Mailpit here: e-mail goes to the console
        SECRET_KEY="a-secret-key-the-operator-set-in-env",  # .env.example leaves it for the operator
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",
    )
    # The folders the image creates (Dockerfile: mkdir -p ...), and the volumes' mount points.
    for instruction, arguments in dockerfile_instructions():
        if instruction == "RUN" and "mkdir -p" in arguments:
            for folder in arguments.split("mkdir -p", 1)[1].split("&&")[0].split():
                (root / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
    volumes = {source: root / str(target).lstrip("/") for source, target in mounts(web)}

    # The image build: collectstatic into the image's STATIC_ROOT.
    shutil.copytree(collected_static(), moved_under(root, image_environment())["STATIC_ROOT"], dirs_exist_ok=True)

    log = tmp_path / "web.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S602 - the service's own command line, as sh runs it in the container
            web["command"],
            shell=True,
            cwd=ROOT,
            env=service_environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # sh and gunicorn in a process group of their own, stopped together
        )
    client = ThroughTheProxy(port, web["environment"]["SITE_URL"])
    try:
        wait_until_serving(client, server, log)

        # The healthcheck of the compose file, run inside the "container". Until the
        # readiness view exists at /health/ready/, it asks the liveness check /health/.
        command = [word.replace(":8000/", f":{port}/") for word in web["healthcheck"]["test"][1:]]
        try:
            resolve(urllib.parse.urlsplit(command[-1]).path)
        except Resolver404:
            command[-1] = command[-1].replace("/health/ready/", "/health/")
        healthcheck = subprocess.run(command, cwd=ROOT, env=service_environment, capture_output=True, text=True)
        assert healthcheck.returncode == 0, healthcheck.stderr

        # Static files: the page links them and whitenoise serves them from STATIC_ROOT.
        status, _, page = client.get("/")
        assert status == 200, page[:2000]
        stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
        status, headers, _ = client.get(stylesheet)
        assert status == 200 and headers["Content-Type"].startswith("text/css")

        # Sign in, upload a case study, download it.
        # The password hashed with a hasher the served portal knows (the tests' MD5 is not one).
        person = UserFactory(verified=True, password=None)
        person.password = PBKDF2PasswordHasher().encode("correct horse battery", PBKDF2PasswordHasher().salt())
        person.save(update_fields=["password"])
        status, _, _ = client.get(reverse("account_login"))
        assert status == 200
        status, headers, body = client.post(
            reverse("account_login"),
            {"login": person.email, "password": "correct horse battery", "csrfmiddlewaretoken": client.csrf_token()},
        )
        assert status == 302, html.unescape(body.decode())[:3000]
        status, headers, body = client.post(
            reverse("accreditation:case_study_upload"),
            {"csrfmiddlewaretoken": client.csrf_token()},
            files=[("file", "my case study.pdf", "application/pdf", PDF_BYTES)],
        )
        assert status == 302, html.unescape(body.decode())[:3000]
        submission = CaseStudySubmission.objects.get(person=person)
        status, headers, body = client.get(submission.get_file_url())
        assert status == 200
        assert body == PDF_BYTES
        assert headers["Content-Disposition"].startswith("attachment")
    finally:
        stop(server, port)

    # The file is in the folder the private-files volume holds; nothing was written outside
    # the volumes but the static files of the image build.
    stored = volumes["private-files"] / submission.file.name
    assert stored.read_bytes() == PDF_BYTES
    static_root = Path(service_environment["STATIC_ROOT"])
    outside = [
        path
        for path in root.rglob("*")
        if path.is_file()
        and not path.is_relative_to(static_root)
        and not any(path.is_relative_to(folder) for folder in volumes.values())
    ]
    assert outside == []
