"""Throw-away PostgreSQL clusters for the server tests: a primary, and streaming replicas made
from it with pg_basebackup, each in its own temporary directory on its own port (never the
machine's shared server). PostgreSQL refuses to run as root: as root, the tools run as the
postgres user.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.server.conftest import free_port


def _bin() -> Path:
    found = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    candidates = [Path(found)] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists():
            return directory
    pytest.fail("these tests need PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup)")


class Cluster:
    """One PostgreSQL cluster: `data` is its directory, `port` its own."""

    def __init__(self, directory: Path) -> None:
        self.bin, self.data, self.port = _bin(), directory / "data", free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        directory.mkdir()
        if self.as_user:
            shutil.chown(directory, "postgres")

    def run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bin / tool), *args],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # Every statement is logged: a test can tell which cluster served what.
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60 -c log_statement=all"
        )
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "log"), "-o", options,
                 "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast", *, wait: bool = True) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w" if wait else "-W", "stop")

    def log_since(self, marker: str) -> str:
        """What the cluster logged after the statement `SELECT '<marker>'` (see `mark`)."""
        return (self.data / "log").read_text().partition(marker)[2]

    def mark(self, marker: str) -> None:
        self.sql(f"SELECT '{marker}'")

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []


def primary(directory: Path) -> Cluster:
    cluster = Cluster(directory)
    cluster.run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync")  # fmt: skip
    return cluster


def replica_of(source: Cluster, directory: Path) -> Cluster:
    """A hot standby streaming from `source` (which must be running)."""
    cluster = Cluster(directory)
    # -c fast: a checkpoint now, not one spread over minutes.
    cluster.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(source.port), "-U", "postgres",
                "-D", str(cluster.data), "-R", "-X", "stream", "-c", "fast",
                "--no-sync")  # fmt: skip
    return cluster


@contextlib.contextmanager
def clusters_directory() -> Iterator[Path]:
    """Not under pytest's tmp_path: the postgres user must be able to reach the directory."""
    directory = Path(tempfile.mkdtemp(prefix="content-api-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def stop_quietly(*clusters: Cluster) -> None:
    for cluster in clusters:
        with contextlib.suppress(RuntimeError):  # already stopped
            cluster.stop("immediate")
