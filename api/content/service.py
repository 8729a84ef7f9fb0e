"""What every content type's service shares: references by natural key, upserts, link rows.

The services (`api/content/*/service.py`) are the only code that writes content. Each takes a
validated input record (the `*In` models: what the seed files hold, and what an editor API
accepts) and writes the row with every column derived from it: the folded keys the read path
matches on (`sort_name`, `city_slug`, `search_text`), the copies of link ids an item carries
(`topic_ids`), and the link rows with the columns they copy from their item. Every write bumps
the content version by itself (database triggers, `migrations/helpers.py`), in the same
transaction.
"""

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import delete
from sqlmodel import Session, SQLModel, select

from api.content.base import LocationIn
from api.content.spec import Reference
from api.text import city_key, slugify

RecordT = TypeVar("RecordT", bound=BaseModel)
RowT = TypeVar("RowT", bound=SQLModel)


class WriteError(Exception):
    """A record cannot be written: it names something that does not exist, or a file is bad."""


@dataclass
class Changes:
    """What a run of writes did, per table: inserted, updated, unchanged, deleted."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, table: str, outcome: str, count: int = 1) -> None:
        self.counts.setdefault(table, Counter())[outcome] += count

    @property
    def changed(self) -> int:
        return sum(c["inserted"] + c["updated"] + c["deleted"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{table:<22} {c['inserted']:>5} inserted {c['updated']:>5} updated "
            f"{c['unchanged']:>5} unchanged {c['deleted']:>5} deleted"
            for table, c in self.counts.items()
        ]


@dataclass
class Refs:
    """Natural keys → ids of the rows that records refer to, by kind ("topic", "country", …).

    Filled from the database (`load`) and kept current by the services as they write.
    """

    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    country_region: dict[str, str] = field(default_factory=dict)  # ISO alpha-2 → region

    def add(self, kind: str, key: str, row_id: int | None) -> None:
        assert row_id is not None, "a written row has an id"
        self.ids.setdefault(kind, {})[key] = row_id

    def id(self, kind: str, key: str) -> int:
        try:
            return self.ids.get(kind, {})[key]
        except KeyError:
            raise WriteError(f"unknown {kind} {key!r}") from None

    def ids_of(self, kind: str, keys: Iterable[str]) -> list[int]:
        return [self.id(kind, key) for key in keys]

    @classmethod
    def load(cls, session: Session, references: Iterable[Reference]) -> "Refs":
        refs = cls()
        for reference in references:
            key = reference.table.c[reference.key]
            rows = session.execute(select(key, reference.table.c.id).where(*reference.where))
            for natural, row_id in rows:
                refs.add(reference.kind, natural, row_id)
            if reference.kind == "country":
                regions = session.execute(select(key, reference.table.c.region))
                refs.country_region.update(dict(regions.all()))
        return refs


def read_records(path: Path, model: type[RecordT]) -> list[RecordT]:
    """The records of a seed file, validated; a bad file is a WriteError naming it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(list[model]).validate_python(raw)  # type: ignore[valid-type]
    except FileNotFoundError:
        raise WriteError(f"{path}: missing") from None
    except json.JSONDecodeError as exc:
        raise WriteError(f"{path}: not valid JSON: {exc}") from None
    except ValidationError as exc:
        raise WriteError(f"{path}: {exc}") from None


def upsert(
    session: Session,
    changes: Changes,
    model: type[RowT],
    key: dict[str, Any],
    values: dict[str, Any],
) -> RowT:
    """Insert the row with this natural key, or update the columns whose values differ."""
    statement = select(model)
    for name, value in key.items():
        statement = statement.where(getattr(model, name) == value)
    row = session.exec(statement).one_or_none()
    table = str(model.__tablename__)
    if row is None:
        row = model(**key, **values)
        session.add(row)
        changes.add(table, "inserted")
    elif any(getattr(row, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        if "revision" in model.model_fields:  # a row that counts its changes (events)
            row.revision += 1  # type: ignore[attr-defined]
        changes.add(table, "updated")
    else:
        changes.add(table, "unchanged")
    session.flush()
    return row


def sync_links(
    session: Session,
    changes: Changes,
    model: type[SQLModel],
    owner: tuple[str, int | None],
    other: str,
    wanted: Iterable[int],
    copied: dict[str, Any] | None = None,
) -> None:
    """Make the link rows of one owner exactly `wanted`, each with the `copied` owner columns."""
    owner_column, owner_id = owner
    copied = copied or {}
    table = str(model.__tablename__)
    rows = session.exec(select(model).where(getattr(model, owner_column) == owner_id)).all()
    existing = {getattr(row, other): row for row in rows}
    wanted_set = set(wanted)
    for other_id in wanted_set - existing.keys():
        session.add(model(**{owner_column: owner_id, other: other_id}, **copied))
        changes.add(table, "inserted")
    for other_id in wanted_set & existing.keys():
        row = existing[other_id]
        stale = {k: v for k, v in copied.items() if getattr(row, k) != v}
        for name, value in stale.items():
            setattr(row, name, value)
        changes.add(table, "updated" if stale else "unchanged")
    gone = existing.keys() - wanted_set
    if gone:
        session.execute(
            delete(model).where(
                getattr(model, owner_column) == owner_id, getattr(model, other).in_(gone)
            )
        )
        changes.add(table, "deleted", len(gone))
    session.flush()


def id_list(ids: Iterable[int]) -> str:
    """The copy of an item's link ids that its row carries, ascending ("5,12")."""
    return ",".join(str(i) for i in sorted(ids))


def location_values(location: LocationIn | None, refs: Refs) -> dict[str, Any]:
    """The location columns of a row (see `LocationColumns`), with their folded keys."""
    loc = location or LocationIn()
    region = loc.region or (refs.country_region.get(loc.country) if loc.country else None)
    return {
        "venue": loc.venue,
        "city": loc.city,
        "city_slug": city_key(loc.city) if loc.city else None,
        "territory": loc.territory,
        "territory_slug": slugify(loc.territory) if loc.territory else None,
        "country_id": refs.id("country", loc.country) if loc.country else None,
        "region": region,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
    }


def topic_ids(refs: Refs, slugs: Sequence[str]) -> list[int]:
    return refs.ids_of("topic", slugs)


def set_publication_status(session: Session, row: SQLModel, status: str) -> None:
    """Publish or withdraw a row whose service takes no status (its link rows copy none)."""
    if getattr(row, "publication_status") != status:  # noqa: B009 - any content row
        setattr(row, "publication_status", status)  # noqa: B010
        session.flush()


def rename(session: Session, row: SQLModel, slug: str) -> None:
    """Give a row a new slug before its service saves it under that slug (an upsert by slug
    would otherwise make a second row)."""
    setattr(row, "slug", slug)  # noqa: B010
    session.flush()
