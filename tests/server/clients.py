"""Clients for the server tests: a raw HTTP/1.1 connection, and a probe that times /livez."""

import contextlib
import json
import socket
import subprocess
import threading
import time
from typing import Any

from tests.server.conftest import Server

SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}


class Connection:
    """A raw client socket with a buffered reader for its answers."""

    def __init__(self, server: Server) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.reader = self.sock.makefile("rb")

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def send(self, data: bytes) -> None:
        """Send all of `data`, or stop quietly where the server has closed the connection."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.sock.sendall(data)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """One HTTP/1.1 response with a Content-Length (all the API sends)."""
        status_line = self.reader.readline().decode("latin-1")
        if not status_line:
            raise ConnectionError("closed before an answer")
        headers = {}
        while (line := self.reader.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.reader.read(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, body

    def closed_within(self, seconds: float) -> float:
        """Seconds until the server closes the connection (dropping what it sends)."""
        started = time.monotonic()
        self.sock.settimeout(seconds)
        while self.sock.recv(65536):
            pass
        return time.monotonic() - started


class LivezProbe:
    """`curl /livez` every 50 ms from a thread, each on a new connection; curl's own timings
    (a probe in this process would measure the test's own threads fighting for the GIL)."""

    def __init__(self, server: Server) -> None:
        self.url, self.latencies = server.base + "/livez", list[float]()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            timing = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", self.url],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout  # fmt: skip
            status, seconds = timing.split()
            assert status == "200"
            self.latencies.append(float(seconds))
            time.sleep(0.05)

    def __enter__(self) -> "LivezProbe":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


def assert_problem(
    status: int, headers: dict[str, str], body: bytes, expected: int
) -> dict[str, Any]:
    assert status == expected, body
    assert headers["content-type"] == "application/problem+json"
    for name, value in SECURITY.items():
        assert headers[name] == value, name
    document = json.loads(body)
    assert document["status"] == expected
    return document  # type: ignore[no-any-return]
