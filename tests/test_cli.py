"""The command line: migrate and seed against DATABASE_URL."""

import gc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api import cli
from api.config import get_settings
from api.main import served_app


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_migrate_then_seed_twice(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate"]) == 0
    assert cli.main(["seed"]) == 0
    assert "seed: 0 rows changed" not in capsys.readouterr().out
    assert cli.main(["seed"]) == 0
    assert "seed: 0 rows changed" in capsys.readouterr().out
    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM country")).scalar_one() == 68
    engine.dispose()


def test_seed_on_an_unmigrated_database_fails_cleanly(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cli.db").touch()
    assert cli.main(["seed"]) == 1
    error = capsys.readouterr().err
    assert "seed failed, nothing written (no such table: revision); has `migrate` run?" in error


def test_serve_runs_uvicorn_with_the_settings(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.setenv("PORT", "8123")
    get_settings.cache_clear()
    assert cli.main(["migrate"]) == 0
    assert cli.main(["serve"]) == 0
    ((args, kwargs),) = calls
    assert args == ("api.main:served_app",)
    assert kwargs["factory"] is True
    assert kwargs["port"] == 8123
    assert kwargs["server_header"] is False


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([])


def test_a_served_worker_takes_its_long_lived_objects_out_of_the_collector(
    sqlite_url: str,
) -> None:
    assert cli.main(["migrate"]) == 0
    gc.unfreeze()
    try:
        app = served_app()
        # Modules, routes, models and validators: a full collection no longer walks them.
        assert gc.get_freeze_count() > 50_000
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
    finally:
        gc.unfreeze()


def test_export_then_import_moves_the_content_and_the_image_files(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`content-api export` and `import` as a user runs them: the export is the whole content,
    image files included, so the new database and MEDIA_DIR need nothing copied beside it."""
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "old-media"))
    get_settings.cache_clear()
    assert cli.main(["migrate"]) == 0
    assert cli.main(["seed"]) == 0
    export = tmp_path / "content.ndjson"
    assert cli.main(["export", str(export)]) == 0
    assert capsys.readouterr().err.endswith("export: 148 lines\n")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "new-media"))
    get_settings.cache_clear()
    assert cli.main(["migrate"]) == 0
    assert cli.main(["import", str(export)]) == 0
    assert capsys.readouterr().err.endswith("import: 148 lines loaded\n")
    [old] = (tmp_path / "old-media" / "originals").iterdir()
    [new] = (tmp_path / "new-media" / "originals").iterdir()
    assert (new.name, new.read_bytes()) == (old.name, old.read_bytes())
    again = tmp_path / "again.ndjson"
    assert cli.main(["export", str(again)]) == 0
    assert again.read_bytes() == export.read_bytes()
    # A second import into the now full database is refused, with one sentence.
    assert cli.main(["import", str(export)]) == 1
    assert "content-api import: the database is not empty" in capsys.readouterr().err
