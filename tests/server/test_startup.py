"""Starting up as an operator does: the command line's errors, migrations run by several replicas
at once, the start-up warning, and what `make` and the Dockerfile install."""

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from api.config import PROJECT_ROOT
from api.health import migration_head
from tests.conftest import BACKENDS, create_database, drop_database
from tests.server.conftest import run_cli, serve, server_env


def _one_sentence(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # before: 21 to 127 lines of traceback
    return lines[0]


@pytest.mark.parametrize(
    ("command", "settings", "sentence"),
    [
        ("serve", {"PORT": "70000"}, "content-api serve: invalid settings: PORT: Input should be "
         "less than or equal to 65535"),
        ("migrate", {"DATABASE_URL": "mysql://db/content"}, "content-api migrate: invalid "
         "settings: DATABASE_URL: Value error, DATABASE_URL must look like"),
        ("migrate", {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
         "content-api migrate: cannot reach the database: connection failed"),
        ("migrate", {"DATABASE_URL": "sqlite:////etc/hostname/data/content.db"},
         "content-api migrate: cannot write to /etc/hostname/data"),
        ("seed", {"DATABASE_URL": "sqlite:////nonexistent/content.db"},
         "content-api seed: the SQLite database /nonexistent/content.db does not exist"),
    ],
)  # fmt: skip
def test_what_stops_a_command_is_one_sentence_and_status_1(
    command: str, settings: dict[str, str], sentence: str
) -> None:
    env = server_env("sqlite:///unused.db", **settings)
    assert _one_sentence(run_cli(command, env=env)).startswith(sentence)


def test_serve_never_creates_a_database_where_the_configuration_names_a_missing_one(
    tmp_path: Path,
) -> None:
    """Before: `serve` with a missing SQLite folder created it and an empty database."""
    missing = tmp_path / "missing" / "content.db"
    sentence = _one_sentence(run_cli("serve", env=server_env(f"sqlite:///{missing}")))
    assert sentence.startswith(f"content-api serve: the SQLite database {missing} does not exist")
    assert not missing.parent.exists()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_started_together_run_one_after_the_other(backend: str, tmp_path: Path) -> None:
    """Several replicas starting at once each run `migrate`: all succeed, the schema is whole."""
    settings = create_database(backend, tmp_path)
    try:
        env = server_env(settings.database_url.replace("+psycopg", ""))
        with ThreadPoolExecutor(4) as pool:
            runs = list(pool.map(lambda _: run_cli("migrate", env=env), range(4)))
        assert [done.returncode for done in runs] == [0] * 4, [done.stderr for done in runs]
        engine = create_engine(settings.database_url)
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            tables = set(inspect(connection).get_table_names())
        engine.dispose()
        assert revision == [(migration_head(),)]
        assert {"news", "event", "country", "topic", "menu_node", "content_version"} <= tables
    finally:
        drop_database(settings)


def _startup_log(seeded_file: Path, directory: Path, secret: str) -> str:
    with serve(f"sqlite:///{seeded_file}", directory, CURSOR_SECRET=secret) as server:
        pass
    return server.output()


def test_the_public_cursor_secret_is_one_warning_at_start(
    seeded_file: Path, tmp_path: Path
) -> None:
    warning = "CURSOR_SECRET is the public default: anyone can forge paging cursors"
    public = _startup_log(seeded_file, tmp_path, "osce-content-api")
    assert [line for line in public.splitlines() if warning in line] == [
        f"WARNING:     {warning}; set it to a long random value, the same on every worker"
    ]
    assert warning not in _startup_log(seeded_file, tmp_path, "a-long-and-private-secret")


def _dry_run(target: str) -> str:
    done = subprocess.run(["make", "-n", target, "VENV=/nonexistent/venv"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


def test_make_run_installs_what_serving_needs_and_make_test_the_dev_tools() -> None:
    run = _dry_run("run")
    assert "-c constraints.txt -e .\n" in run
    assert "[dev]" not in run
    assert "-e '.[dev]'" in _dry_run("test")


def test_the_image_installs_its_dependencies_before_the_code_as_a_numeric_user() -> None:
    lines = (PROJECT_ROOT / "Dockerfile").read_text().splitlines()

    def first(pattern: str) -> int:
        return next(i for i, line in enumerate(lines) if re.search(pattern, line))

    dependencies = first(r"pip install -c constraints\.txt -r ")
    assert first(r"^COPY pyproject\.toml constraints\.txt \./$") < dependencies
    assert dependencies < first(r"^COPY api ")  # a change to the code keeps the layer
    assert first(r"^COPY api ") < first(r"pip install --no-deps -e \.")
    assert re.fullmatch(r"USER \d+:\d+", lines[first(r"^USER ")])
