"""The TLS proxy of docker-compose.yml: Caddy (Debian's `caddy`) run with the repository's
Caddyfile for https://localhost, in front of a stand-in for gunicorn that echoes what it
receives. It must terminate TLS with a certificate from its local authority, set
X-Forwarded-For to the client's address (a forged one dropped) and X-Forwarded-Proto to
https, refuse bodies over its limit before they reach gunicorn, redirect plain http, drop
the Server header, and serve nothing else (no admin endpoint, no other host)."""

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import _missing

from .test_compose import ROOT

MB = 1_000_000


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Upstream:
    """Answers every request with the headers and body size it received, as JSON."""

    def __init__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                received = len(self.rfile.read(length)) if length else 0
                seen.append(self.path)
                body = json.dumps({"headers": dict(self.headers), "received": received}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(tmp_path):
    if not shutil.which("caddy"):
        _missing("needs Debian's caddy (apt-get install caddy)")
    upstream = Upstream()
    https_port, http_port = free_port(), free_port()
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),  # the proxy's /data volume: its local authority
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SITE_URL": f"https://localhost:{https_port}",
        "PORTAL_UPSTREAM": f"127.0.0.1:{upstream.port}",
        "PROXY_HTTP_PORT": str(http_port),
    }
    log = (tmp_path / "caddy.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        ["caddy", "run", "--config", str(ROOT / "Caddyfile"), "--adapter", "caddyfile"],  # noqa: S607
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    root_certificate = tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        context = None
        for _ in range(300):
            if server.poll() is not None:
                pytest.fail((tmp_path / "caddy.log").read_text())
            if root_certificate.exists():
                context = ssl.create_default_context(cafile=str(root_certificate))
                try:
                    with (
                        socket.create_connection(("127.0.0.1", https_port), timeout=2) as raw,
                        context.wrap_socket(raw, server_hostname="localhost"),
                    ):
                        break
                except (OSError, ssl.SSLError):
                    pass
            time.sleep(0.1)
        else:
            pytest.fail(f"Caddy did not serve https:\n{(tmp_path / 'caddy.log').read_text()}")
        yield {"https": https_port, "http": http_port, "context": context, "upstream": upstream}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        upstream.close()


def send(proxy, path, data=None, headers=None):
    request = urllib.request.Request(  # noqa: S310 - https to the local proxy
        f"https://localhost:{proxy['https']}{path}", data=data, headers=headers or {}
    )
    try:
        response = urllib.request.urlopen(request, context=proxy["context"], timeout=60)  # noqa: S310
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


def test_the_proxy_terminates_tls_for_localhost_and_passes_the_clients_address(proxy):
    # The certificate verifies against Caddy's local authority for the name localhost.
    status, headers, body = send(proxy, "/accounts/login/", headers={"X-Forwarded-For": "198.51.100.66"})
    assert status == 200
    received = json.loads(body)["headers"]
    # One address, the client's: a forged X-Forwarded-For from the client is not kept, so the
    # portal (TRUSTED_PROXY_COUNT=1) counts rate limits per real client.
    assert received["X-Forwarded-For"] == "127.0.0.1"
    assert received["X-Forwarded-Proto"] == "https"
    assert received["Host"] == f"localhost:{proxy['https']}"
    assert "Server" not in headers


def test_the_proxy_refuses_bodies_over_its_limit_before_gunicorn(proxy):
    # An application with several evidence files at the portal's 10 MB limit passes...
    status, _, body = send(proxy, "/trainings/apply/", data=b"x" * (30 * MB))
    assert status == 200 and json.loads(body)["received"] == 30 * MB
    # ... a body over 110 MB (the largest page's limit) is refused by the proxy, and gunicorn
    # never sees the request.
    asked_before = len(proxy["upstream"].seen)
    connection = http.client.HTTPSConnection("localhost", proxy["https"], context=proxy["context"], timeout=30)
    connection.putrequest("POST", "/trainings/apply/")
    connection.putheader("Content-Length", str(110 * MB + 1))
    connection.endheaders()
    connection.send(b"x" * MB)  # the proxy answers without waiting for the rest
    assert connection.getresponse().status == 413
    connection.close()
    assert len(proxy["upstream"].seen) == asked_before


def test_the_proxy_serves_nothing_else(proxy):
    # Plain http only redirects to https.
    request = urllib.request.Request(  # noqa: S310
        f"http://localhost:{proxy['http']}/accounts/login/", headers={"Host": "localhost"}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        pytest.fail("plain http was served")
    except urllib.error.HTTPError as error:
        assert error.code in (301, 308)
        assert error.headers["Location"].startswith("https://localhost")
    # No certificate, so no answer, for a name other than the site's.
    raw = socket.create_connection(("127.0.0.1", proxy["https"]), timeout=5)
    with raw, pytest.raises(ssl.SSLError):
        ssl.create_default_context().wrap_socket(raw, server_hostname="other.example")
    # No admin endpoint (Caddy's default: localhost:2019).
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", 2019), timeout=2).close()
    assert len(proxy["upstream"].seen) == 0
