"""A redis-server of the test's own, on a free port, that the test starts and stops: Redis
(the cache, the broker) going down and coming back, without touching the shared one."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager


def free_port():
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        executable = shutil.which("redis-server")
        assert executable, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def own_redis(folder, *, started=True):
    server = OwnRedis(folder)
    if started:
        server.start()
    try:
        yield server
    finally:
        server.stop()
