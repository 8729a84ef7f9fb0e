"""Settings from the environment."""

import pytest
from pydantic import ValidationError

from api.config import DEFAULT_SQLITE_PATH, Settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///data/x.db", "sqlite:///data/x.db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("postgresql://u:p@db:5432/content", "postgresql+psycopg://u:p@db:5432/content"),
        ("postgres://u:p@db/content", "postgresql+psycopg://u:p@db/content"),
        ("postgresql+psycopg://u@db/content", "postgresql+psycopg://u@db/content"),
    ],
)
def test_database_url_accepts_the_usual_forms(given: str, used: str) -> None:
    assert Settings(database_url=given).database_url == used


@pytest.mark.parametrize("url", ["mysql://u@db/x", "db.sqlite", ""])
def test_database_url_rejects_other_databases(url: str) -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL must look like"):
        Settings(database_url=url)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/d")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("HOST", "0.0.0.0")
    settings = Settings()
    assert (settings.database_url, settings.port, settings.host) == (
        "postgresql+psycopg://u@h/d",
        9000,
        "0.0.0.0",
    )
    assert not settings.is_sqlite


def test_default_database_is_a_sqlite_file_under_the_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.is_sqlite
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
