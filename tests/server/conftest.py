"""The API as people run it: `content-api serve` as a process, talked to over real sockets.

Every test here starts its own server (a second or so) on a copy of one seeded SQLite file, or
on a private PostgreSQL cluster, and measures what a client outside would see: status codes,
bytes, seconds, and the worker's resident memory.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from api.config import PROJECT_ROOT, Settings
from tests.conftest import create_database, drop_database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here runs alone (`make test` runs them after the parallel tests): they start
    servers and databases as processes and bound what a client waits."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.serial)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if condition():
                return time.monotonic() - started
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s for {what}")


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "WORKERS": "1",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "CURSOR_SECRET": "a-secret-for-the-server-tests",
        **settings,
    }


@dataclass
class Server:
    base: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()


@contextmanager
def serve(
    database_url: str,
    directory: Path,
    *,
    ready: str = "/livez",
    port: int | None = None,
    **settings: str,
) -> Iterator[Server]:
    """`content-api serve` on `port` (a free one by default) until the block ends (SIGTERM)."""
    port = port or free_port()
    env = server_env(database_url, PORT=str(port), **settings)
    log = directory / f"server-{port}.log"
    with log.open("w") as out:
        command = [sys.executable, "-m", "api", "serve"]
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", port, process, log)
    try:
        # Generous: a loaded CI machine took over 30 s to start two workers.
        wait_for(lambda: httpx.get(server.base + ready).status_code == 200, "the server", 90)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file, made once with the command line."""
    path = tmp_path_factory.mktemp("served") / "content.db"
    env = server_env(f"sqlite:///{path}")
    for command in ("migrate", "seed"):
        done = run_cli(command, env=env)
        assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def sqlite_copy(seeded_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded file, for a test that damages or replaces it."""
    path = tmp_path / "content.db"
    with sqlite3.connect(seeded_file) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    return path


@pytest.fixture
def database_copy(seeded: Settings, tmp_path: Path) -> Iterator[str]:
    """The URL of a private copy of the suite's seeded database, on each backend."""
    settings = create_database("sqlite" if seeded.is_sqlite else "postgresql", tmp_path, seeded)
    yield settings.database_url
    drop_database(settings)
