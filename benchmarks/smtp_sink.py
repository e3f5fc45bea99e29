"""A mail server for benchmarks: speaks enough SMTP for Django's SMTP backend as the portal is
configured in production (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts
every message and keeps none. It runs in a process of its own, as a real mail server would,
with a certificate it makes for 127.0.0.1, and answers each command after `latency_ms`, the
round trip to a mail relay over the network (on the loopback it would be nothing). So the time
a benchmark measures is the portal's side of the conversation: its sessions, commands and
messages.

  with smtp_sink(latency_ms=2) as sink:  # sink.settings() for Django; sink.counts() when done
      ...
  python -m benchmarks.smtp_sink 2  # prints its port and certificate, then serves until stopped
"""

import contextlib
import datetime
import ipaddress
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.mail.backends.smtp import EmailBackend
from django.utils.functional import cached_property

ROOT = Path(__file__).resolve().parents[1]


class _Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        time.sleep(self.server.latency)
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.server.connections += 1
        secure = False
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line[:8].upper()
            if command.startswith(b"EHLO"):
                offer = "250-AUTH PLAIN LOGIN" if secure else "250-STARTTLS"
                self.reply(f"250-sink\r\n{offer}\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif command.startswith(b"STARTTLS"):
                self.reply("220 go ahead")
                self.connection = self.server.tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb", buffering=0)
                secure = True
            elif command.startswith(b"AUTH"):
                if len(line.split()) < 3:  # the credentials follow on their own line
                    self.reply("334 ")
                    self.rfile.readline()
                self.reply("235 accepted")
            elif command.startswith(b"DATA"):
                self.reply("354 end with .")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.messages += 1
                self.reply("250 accepted")
            elif command.startswith(b"QUIT"):
                self.reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    connections = messages = 0


def _certificate(folder):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = Path(folder) / "sink.pem", Path(folder) / "sink.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class _Stop(Exception):
    pass


def _stop(signum, frame):
    raise _Stop


def serve(latency_ms):
    # SIGTERM stops it (SIGINT may be ignored in a process started in the background).
    signal.signal(signal.SIGTERM, _stop)
    with tempfile.TemporaryDirectory() as folder, Sink(("127.0.0.1", 0), _Session) as server:
        cert_file, key_file = _certificate(folder)
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(cert_file, key_file)
        server.latency = latency_ms / 1000
        print(server.server_address[1], cert_file, flush=True)
        try:
            server.serve_forever()
        except (_Stop, KeyboardInterrupt):
            pass
        finally:
            print(f"{server.connections} {server.messages}", flush=True)


class SinkBackend(EmailBackend):
    """Django's SMTP backend, trusting the sink's certificate (set by `smtp_sink`)."""

    cafile = None

    @cached_property
    def ssl_context(self):
        return ssl.create_default_context(cafile=self.cafile)


@dataclass
class Running:
    port: int
    cafile: str
    process: subprocess.Popen

    def settings(self):
        """Django settings sending through the sink as production does: STARTTLS, then AUTH."""
        SinkBackend.cafile = self.cafile
        return {
            "EMAIL_BACKEND": f"{__name__}.SinkBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": True,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "portal",
            "EMAIL_HOST_PASSWORD": "benchmark-only",
        }

    def counts(self):
        """Stop the sink; (connections, messages) it took."""
        self.process.terminate()  # it prints its counts and stops
        output, _ = self.process.communicate(timeout=10)
        connections, messages = output.split()
        return int(connections), int(messages)


@contextlib.contextmanager
def smtp_sink(latency_ms=0):
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.smtp_sink", str(latency_ms)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        port, cafile = process.stdout.readline().split()
        yield Running(port=int(port), cafile=cafile, process=process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


if __name__ == "__main__":
    serve(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
