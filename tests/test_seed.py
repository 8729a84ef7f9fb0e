"""Seed data: loaded idempotently, validated, and faithful to the seed page."""

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.db import metadata
from api.seed import SEED_DIR, SeedError, load_seed
from tests.conftest import TestDatabase, migrate

PAGE = (SEED_DIR / "osce-homepage.txt").read_text()


def _seed(name: str) -> list[dict[str, Any]]:
    return json.loads((SEED_DIR / f"{name}.json").read_text())  # type: ignore[no-any-return]


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in metadata.tables
        }


def test_seed_twice_changes_nothing(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    first = load_seed(empty_database.engine)
    before = _snapshot(empty_database.engine)
    second = load_seed(empty_database.engine)
    assert first.changed > 0
    assert second.changed == 0
    assert _snapshot(empty_database.engine) == before  # updated_at included


def test_seed_updates_a_changed_record_in_place(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    migrate(empty_database.engine)
    load_seed(empty_database.engine)
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_dir)
    topics = _seed("topics")
    topics[0]["name"] = "Arms control and disarmament"
    (seed_dir / "topics.json").write_text(json.dumps(topics))
    report = load_seed(empty_database.engine, seed_dir)
    assert report.counts["topic"]["updated"] == 1
    assert report.changed == 1
    with empty_database.engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM topic WHERE slug = 'arms-control'"))
        assert names.scalar_one() == "Arms control and disarmament"


def test_a_partner_that_becomes_a_state_moves_its_name_keys(
    empty_database: TestDatabase, tmp_path: Path
) -> None:
    """Lists by name in another language read the keys of their own part (States or partners):
    a country that changes kind takes its keys along."""
    migrate(empty_database.engine)
    load_seed(empty_database.engine)
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_dir)
    partners = _seed("partners")
    moved = partners.pop()
    del moved["group"]
    moved["joined_on"] = moved.pop("partner_since")
    (seed_dir / "partners.json").write_text(json.dumps(partners))
    (seed_dir / "states.json").write_text(json.dumps([*_seed("states"), moved]))
    load_seed(empty_database.engine, seed_dir)
    with empty_database.engine.connect() as connection:
        parts = connection.execute(
            text(
                "SELECT DISTINCT name_key.part FROM name_key JOIN country"
                " ON country.id = name_key.item_id AND name_key.kind = 'country'"
                " WHERE country.slug = :slug"
            ),
            {"slug": moved["slug"]},
        ).scalars()
        assert list(parts) == ["participating-state"]


@pytest.mark.parametrize(
    ("file", "mutate", "message"),
    [
        ("states", lambda r: r[0].update(iso_alpha2="Albania"), "iso_alpha2"),
        ("news", lambda r: r[0].update(topics=["no-such-topic"]), "unknown topic"),
        ("events", lambda r: r[0].update(ends_on="2000-01-01"), "ends_on is before"),
        ("field_operations", lambda r: r[0].update(host_state="ZZ"), "unknown country"),
        ("menus", lambda r: r[0]["nodes"][0].update(url="https://x.org"), "either a path or"),
    ],
)
def test_a_bad_seed_file_fails_the_load_and_writes_nothing(
    empty_database: TestDatabase, tmp_path: Path, file: str, mutate: Any, message: str
) -> None:
    migrate(empty_database.engine)
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_dir)
    records = _seed(file)
    mutate(records)
    (seed_dir / f"{file}.json").write_text(json.dumps(records))
    with pytest.raises(SeedError, match=message):
        load_seed(empty_database.engine, seed_dir)
    written = _snapshot(empty_database.engine)
    [(_, version, *_)] = written.pop("content_version")
    assert version == 0  # no write happened, not even one rolled back later
    assert all(rows == [] for rows in written.values())


def test_every_state_and_partner_of_the_page_is_seeded() -> None:
    names = [s["name"] for s in _seed("states")] + [p["name"] for p in _seed("partners")]
    assert len(_seed("states")) == 57
    assert len(_seed("partners")) == 11
    for name in names:
        assert name in PAGE, name


def test_topics_are_the_pages_fields_of_work_in_order() -> None:
    start = PAGE.index("Toggle sub-navigation for Arms control") + len("Toggle sub-navigation for ")
    listing = PAGE[start : PAGE.index(" Field operations Projects")]
    assert " ".join(t["name"] for t in _seed("topics")) == listing


def _page_dates() -> dict[str, str]:
    """Title → the date shown after it on the page, as YYYY-MM-DD."""
    months = {m: i for i, m in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"], 1)}  # fmt: skip
    found = {}
    for kind in ("Story", "News Item"):
        pattern = rf"{kind} (.+?) Date Date (\d+) (\w+) (\d{{4}})"
        for title, day, month, year in re.findall(pattern, PAGE):
            found[title.split(" Date Date ")[-1]] = f"{year}-{months[month]:02d}-{int(day):02d}"
    return found


def test_every_news_item_and_story_of_the_page_is_seeded_with_its_date() -> None:
    page = _page_dates()
    seeded = {n["title"]: n["published_at"][:10] for n in _seed("news")}
    assert len(page) == 9
    assert seeded == page


def test_both_events_of_the_page_are_seeded_with_their_dates() -> None:
    events = {e["title"]: (e["starts_on"], e["ends_on"], e["location"]["city"])
              for e in _seed("events")}  # fmt: skip
    for title in events:
        assert title in PAGE
    assert sorted(events.values()) == [
        ("2025-11-20", "2025-12-31", "Tiraspol"),
        ("2026-02-08", "2026-02-10", "Kyiv"),
    ]


def test_the_twelve_active_field_operations_are_the_pages_in_order() -> None:
    start = PAGE.index("Toggle sub-navigation for Presence in Albania")
    listing = PAGE[start : PAGE.index(" Closed field activities")]
    active = [o["name"] for o in _seed("field_operations") if o["closed_on"] is None]
    assert len(active) == 12
    assert listing == "Toggle sub-navigation for " + " ".join(active)
    assert len([o for o in _seed("field_operations") if o["closed_on"]]) >= 6
