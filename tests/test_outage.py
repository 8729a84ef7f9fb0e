"""A real database outage: a private PostgreSQL instance stops under traffic and comes back.

The test starts its own PostgreSQL (initdb into a temporary directory, its own port; never the
machine's shared server), serves the API from it with uvicorn in a subprocess, keeps requests
flowing from a thread, stops the database, checks every answer, starts it again and checks that
the API recovers by itself. It runs whenever the suite runs on PostgreSQL (TEST_POSTGRES_URL).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from api.config import PROJECT_ROOT
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.skipif(
    not POSTGRES_ADMIN_URL, reason="runs with the PostgreSQL suite (TEST_POSTGRES_URL)"
)

DATA_URLS = [
    "/api/v1/news?country=AT",
    "/api/v1/news?type=story&sort=published_at",
    "/api/v1/events",
    "/api/v1/states/austria",
    "/api/v1/partners",
    "/api/v1/field-operations?status=active",
    "/api/v1/menus/main",
    "/api/v1/topics",
]
TIMEOUT_S = 2  # DB_STATEMENT_TIMEOUT_MS for the server under test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_bin() -> Path:
    found = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    candidates = [Path(found)] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists():
            return directory
    pytest.fail("the outage test needs PostgreSQL's server binaries (initdb, pg_ctl)")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster owned by this test."""

    def __init__(self, directory: Path) -> None:
        self.bin, self.data, self.port = _postgres_bin(), directory / "data", _free_port()
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bin / tool), *args],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "log"), "-o", options,
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@dataclass
class Traffic:
    """Requests sent from a thread for as long as the test runs: (time, url, status, seconds)."""

    base: str
    seen: list[tuple[float, str, int | str, float]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=TIMEOUT_S + 8) as client:
            while not self.stopping.is_set():
                for url in DATA_URLS:
                    started = time.monotonic()
                    try:
                        status: int | str = client.get(url).status_code
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    self.seen.append((started, url, status, time.monotonic() - started))
                time.sleep(0.02)


@pytest.fixture
def database() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp_path: the postgres user must be able to reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="content-api-outage-"))
    try:
        postgres = PrivatePostgres(directory)
        postgres.start()
        yield postgres
        with contextlib.suppress(RuntimeError):  # already stopped
            postgres.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def server(database: PrivatePostgres, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "PORT": str(port),
        "WORKERS": "1",
        "DB_STATEMENT_TIMEOUT_MS": str(TIMEOUT_S * 1000),
        "ACCESS_LOG": "false",
    }
    for command in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "api", command], env=env, cwd=PROJECT_ROOT,
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=env, cwd=PROJECT_ROOT,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, "the API to be ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_for(condition: object, what: str, seconds: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if condition():  # type: ignore[operator]
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def test_the_api_answers_503_while_the_database_is_down_and_recovers_by_itself(
    database: PrivatePostgres, server: str
) -> None:
    before = {url: httpx.get(server + url).json() for url in DATA_URLS}
    traffic = Traffic(server)
    thread = threading.Thread(target=traffic.run, daemon=True)
    thread.start()
    time.sleep(1)

    database.stop()
    stopped_at = time.monotonic()
    time.sleep(1)
    with httpx.Client(base_url=server, timeout=TIMEOUT_S + 8) as client:
        for url in [*DATA_URLS, "/api/v1/news?country=DE", "/api/v1/news/no-such-story"]:
            started = time.monotonic()
            response = client.get(url)
            assert time.monotonic() - started < TIMEOUT_S + 1, url
            assert response.status_code == 503, (url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "5"
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.json()["status"] == 503
        assert client.get("/livez").status_code == 200
        readyz = client.get("/readyz")
        assert readyz.status_code == 503
        assert readyz.headers["retry-after"] == "5"
        # What does not need the database keeps working.
        assert client.get("/api/v1/openapi.json").status_code == 200
    time.sleep(1)

    starting_at = time.monotonic()
    database.start()
    restarted_at = time.monotonic()
    recovery = _wait_for(
        lambda: all(httpx.get(server + url).status_code == 200 for url in DATA_URLS),
        "every endpoint to recover",
    )
    assert recovery < 10
    after = {url: httpx.get(server + url).json() for url in DATA_URLS}
    assert after == before  # nothing lost, nothing changed
    time.sleep(1)
    traffic.stopping.set()
    thread.join(timeout=30)

    statuses = {status for _, _, status, _ in traffic.seen}
    assert statuses <= {200, 503}, statuses  # no 500, no socket error, no hang
    assert all(seconds < TIMEOUT_S + 1 for *_, seconds in traffic.seen)
    down = [s for when, _, s, _ in traffic.seen if stopped_at < when < starting_at]
    assert down
    assert set(down) == {503}
    last = [s for when, _, s, _ in traffic.seen if when > restarted_at + recovery + 0.5]
    assert last
    assert set(last) == {200}
    assert "server" not in httpx.get(server + "/livez").headers
