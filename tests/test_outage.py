"""A real database outage: a private PostgreSQL instance stops under traffic and comes back.

The test starts its own PostgreSQL (initdb into a temporary directory, its own port; never the
machine's shared server), serves the API from it with uvicorn in a subprocess, keeps requests
flowing from a thread, stops the database, checks every answer, starts it again and checks that
the API recovers by itself. It runs whenever the suite runs on PostgreSQL (TEST_POSTGRES_URL).
"""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from api.config import PROJECT_ROOT
from tests.conftest import POSTGRES_ADMIN_URL
from tests.server.conftest import free_port, wait_for
from tests.server.postgres import Cluster, clusters_directory, primary, stop_quietly

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_ADMIN_URL, reason="runs with the PostgreSQL suite (TEST_POSTGRES_URL)"
    ),
    pytest.mark.serial,
]

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
def database() -> Iterator[Cluster]:
    with clusters_directory() as directory:
        postgres = primary(directory / "primary")
        postgres.start()
        try:
            yield postgres
        finally:
            stop_quietly(postgres)


@pytest.fixture
def server(database: Cluster, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url(),
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
        wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, "the API to be ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_the_api_answers_503_while_the_database_is_down_and_recovers_by_itself(
    database: Cluster, server: str
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
    recovery = wait_for(
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
