"""Loads `seed_data/` idempotently: upsert on natural keys, write only what changed.

Each file is validated through the `*In` models (the same ones a future editor API accepts), so a
bad slug, code or date fails the load with the file and record named. Rows are built by the
`*_values` functions, which also fill the derived key columns (`sort_name`, `city_slug`,
`search_text`) that the read path depends on.
"""

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Engine, delete
from sqlmodel import Session, SQLModel, select

from api.config import PROJECT_ROOT
from api.content.base import LocationIn
from api.content.countries.models import Chairpersonship, Country, CountryKind, PartnerIn, StateIn
from api.content.events.models import Event, EventIn, EventTopic
from api.content.field_operations.models import (
    FieldOperation,
    FieldOperationIn,
    FieldOperationTopic,
)
from api.content.menus.models import Menu, MenuIn, MenuNode, MenuNodeIn, ResourceType
from api.content.news.models import News, NewsCountry, NewsIn, NewsTopic
from api.content.topics.models import Topic, TopicIn
from api.text import search_text, slugify, sort_key

SEED_DIR = PROJECT_ROOT / "seed_data"
RecordT = TypeVar("RecordT", bound=BaseModel)
RowT = TypeVar("RowT", bound=SQLModel)


class SeedError(Exception):
    """A seed file is missing, malformed, or refers to something that does not exist."""


@dataclass
class Refs:
    """Natural keys → internal ids, filled as the files load in dependency order."""

    country: dict[str, int] = field(default_factory=dict)  # ISO alpha-2 → id
    country_region: dict[str, str] = field(default_factory=dict)
    topic: dict[str, int] = field(default_factory=dict)
    field_operation: dict[str, int] = field(default_factory=dict)
    state_slug: dict[str, int] = field(default_factory=dict)
    partner_slug: dict[str, int] = field(default_factory=dict)

    def lookup(self, table: dict[str, int], key: str, what: str) -> int:
        try:
            return table[key]
        except KeyError:
            raise SeedError(f"unknown {what} {key!r}") from None


@dataclass
class Report:
    """What a load did, per table: inserted, updated, unchanged."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, table: str, outcome: str) -> None:
        self.counts.setdefault(table, Counter())[outcome] += 1

    @property
    def changed(self) -> int:
        return sum(c["inserted"] + c["updated"] + c["deleted"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{table:<22} {c['inserted']:>5} inserted {c['updated']:>5} updated "
            f"{c['unchanged']:>5} unchanged {c['deleted']:>5} deleted"
            for table, c in self.counts.items()
        ]


def read_records(path: Path, model: type[RecordT]) -> list[RecordT]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(list[model]).validate_python(raw)  # type: ignore[valid-type]
    except FileNotFoundError:
        raise SeedError(f"{path}: missing") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path}: not valid JSON: {exc}") from None
    except ValidationError as exc:
        raise SeedError(f"{path}: {exc}") from None


def upsert(
    session: Session, report: Report, model: type[RowT], key: dict[str, Any], values: dict[str, Any]
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
        report.add(table, "inserted")
    elif any(getattr(row, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        report.add(table, "updated")
    else:
        report.add(table, "unchanged")
    session.flush()
    return row


def sync_links(
    session: Session,
    report: Report,
    model: type[SQLModel],
    owner: tuple[str, int],
    other: str,
    wanted: Iterable[int],
    copied: dict[str, Any] | None = None,
) -> None:
    """Make the link rows of one owner exactly `wanted`, with the `copied` owner columns."""
    owner_column, owner_id = owner
    copied = copied or {}
    table = str(model.__tablename__)
    rows = session.exec(select(model).where(getattr(model, owner_column) == owner_id)).all()
    existing = {getattr(row, other) for row in rows}
    wanted_set = set(wanted)
    for other_id in wanted_set - existing:
        session.add(model(**{owner_column: owner_id, other: other_id}, **copied))
        report.add(table, "inserted")
    for row in rows:
        if getattr(row, other) in wanted_set and any(
            getattr(row, k) != v for k, v in copied.items()
        ):
            for name, value in copied.items():
                setattr(row, name, value)
            report.add(table, "updated")
    stale = existing - wanted_set
    if stale:
        session.execute(
            delete(model).where(
                getattr(model, owner_column) == owner_id, getattr(model, other).in_(stale)
            )
        )
        report.add(table, "deleted")
    unchanged = [r for r in rows if getattr(r, other) in wanted_set and r not in session.dirty]
    for _ in unchanged:
        report.add(table, "unchanged")


def location_values(location: LocationIn | None, refs: Refs) -> dict[str, Any]:
    loc = location or LocationIn()
    country_id = refs.lookup(refs.country, loc.country, "country") if loc.country else None
    region = loc.region or (refs.country_region[loc.country] if loc.country else None)
    return {
        "venue": loc.venue,
        "city": loc.city,
        "city_slug": slugify(loc.city) if loc.city else None,
        "territory": loc.territory,
        "country_id": country_id,
        "region": region,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
    }


def topic_values(record: TopicIn, position: int) -> dict[str, Any]:
    return {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "position": position,
        "search_text": search_text(record.name),
    }


def country_values(record: StateIn | PartnerIn) -> dict[str, Any]:
    common = {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "iso_alpha2": record.iso_alpha2,
        "iso_alpha3": record.iso_alpha3,
        "region": record.region.value,
        "capital": record.capital.name,
        "capital_slug": slugify(record.capital.name),
        "latitude": record.capital.latitude,
        "longitude": record.capital.longitude,
        "search_text": search_text(record.name, record.capital.name),
    }
    if isinstance(record, StateIn):
        kind = {"kind": CountryKind.participating_state.value, "partner_group": None}
        return common | kind | {"joined_on": record.joined_on}
    kind = {"kind": CountryKind.partner.value, "partner_group": record.group.value}
    return common | kind | {"joined_on": record.partner_since}


def topic_ids(slugs: Iterable[str], refs: Refs) -> list[int]:
    return [refs.lookup(refs.topic, slug, "topic") for slug in slugs]


def news_country_ids(record: NewsIn, refs: Refs) -> list[int]:
    return [refs.lookup(refs.country, code, "country") for code in news_countries(record)]


def id_list(ids: Iterable[int]) -> str:
    """The copy of an item's link ids that its row carries, ascending ("5,12")."""
    return ",".join(str(i) for i in sorted(ids))


def field_operation_values(record: FieldOperationIn, refs: Refs) -> dict[str, Any]:
    host = refs.lookup(refs.country, record.host_state, "country") if record.host_state else None
    return location_values(record.location, refs) | {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "type": record.type.value,
        "host_state_id": host,
        "established_on": record.established_on,
        "closed_on": record.closed_on,
        "mandate": record.mandate,
        "search_text": search_text(record.name, record.location.city, record.mandate),
        "topic_ids": id_list(topic_ids(record.topics, refs)),
    }


def news_values(record: NewsIn, refs: Refs) -> dict[str, Any]:
    operation = record.field_operation
    return location_values(record.location, refs) | {
        "title": record.title,
        "type": record.type.value,
        "published_at": record.published_at,
        "summary": record.summary,
        "body": record.body,
        "field_operation_id": (
            refs.lookup(refs.field_operation, operation, "field operation") if operation else None
        ),
        "search_text": search_text(record.title, record.summary, record.body),
        "country_ids": id_list(news_country_ids(record, refs)),
        "topic_ids": id_list(topic_ids(record.topics, refs)),
    }


def news_countries(record: NewsIn) -> list[str]:
    """The countries a news item is about; its location's country always among them."""
    located = [record.location.country] if record.location and record.location.country else []
    return list(dict.fromkeys([*record.countries, *located]))


def event_span(record: EventIn) -> tuple[datetime, datetime]:
    """Its instants; an all-day event runs from midnight to midnight in its own time zone."""
    if record.starts_at is not None and record.ends_at is not None:
        return record.starts_at, record.ends_at
    zone = ZoneInfo(record.time_zone)
    after = record.ends_on + timedelta(days=1)
    return (
        datetime.combine(record.starts_on, time(), zone).astimezone(UTC),
        datetime.combine(after, time(), zone).astimezone(UTC),
    )


def event_values(record: EventIn, refs: Refs) -> dict[str, Any]:
    operation = record.field_operation
    location = record.location or LocationIn()
    starts_at, ends_at = event_span(record)
    return location_values(record.location, refs) | {
        "title": record.title,
        "type": record.type.value,
        "all_day": record.all_day,
        "starts_on": record.starts_on,
        "ends_on": record.ends_on,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": record.time_zone,
        "summary": record.summary,
        "organiser": record.organiser,
        "field_operation_id": (
            refs.lookup(refs.field_operation, operation, "field operation") if operation else None
        ),
        "search_text": search_text(
            record.title, record.summary, record.organiser, location.venue, location.city
        ),
        "topic_ids": id_list(topic_ids(record.topics, refs)),
    }


def menu_node_values(node: MenuNodeIn, refs: Refs) -> dict[str, Any]:
    values: dict[str, Any] = {
        "label": node.label,
        "path": node.path,
        "url": node.url,
        "country_id": None,
        "field_operation_id": None,
        "topic_id": None,
    }
    resource = node.resource
    if resource is None:
        return values
    tables = {
        ResourceType.state: ("country_id", refs.state_slug),
        ResourceType.partner: ("country_id", refs.partner_slug),
        ResourceType.field_operation: ("field_operation_id", refs.field_operation),
        ResourceType.topic: ("topic_id", refs.topic),
    }
    column, table = tables[resource.type]
    values[column] = refs.lookup(table, resource.slug, resource.type.value)
    return values


def _load_topics(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    for position, record in enumerate(read_records(seed_dir / "topics.json", TopicIn), 1):
        row = upsert(session, report, Topic, {"slug": record.slug}, topic_values(record, position))
        assert row.id is not None
        refs.topic[record.slug] = row.id


def _load_countries(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    states = read_records(seed_dir / "states.json", StateIn)
    partners = read_records(seed_dir / "partners.json", PartnerIn)
    records: list[StateIn | PartnerIn] = [*states, *partners]
    for record in records:
        row = upsert(session, report, Country, {"slug": record.slug}, country_values(record))
        assert row.id is not None
        refs.country[record.iso_alpha2] = row.id
        refs.country_region[record.iso_alpha2] = record.region.value
        slugs = refs.state_slug if isinstance(record, StateIn) else refs.partner_slug
        slugs[record.slug] = row.id
    for state in states:
        for year in state.chairpersonship_years:
            upsert(
                session,
                report,
                Chairpersonship,
                {"year": year},
                {"country_id": refs.country[state.iso_alpha2]},
            )


def _load_field_operations(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    for record in read_records(seed_dir / "field_operations.json", FieldOperationIn):
        values = field_operation_values(record, refs)
        row = upsert(session, report, FieldOperation, {"slug": record.slug}, values)
        assert row.id is not None
        refs.field_operation[record.slug] = row.id
        owner, topics = ("field_operation_id", row.id), topic_ids(record.topics, refs)
        sync_links(session, report, FieldOperationTopic, owner, "topic_id", topics)


def _load_news(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    for record in read_records(seed_dir / "news.json", NewsIn):
        row = upsert(session, report, News, {"slug": record.slug}, news_values(record, refs))
        assert row.id is not None
        countries, topics = news_country_ids(record, refs), topic_ids(record.topics, refs)
        owner = ("news_id", row.id)
        copied = {"publication_status": row.publication_status, "published_at": row.published_at}
        sync_links(session, report, NewsCountry, owner, "country_id", countries, copied)
        sync_links(session, report, NewsTopic, owner, "topic_id", topics, copied)


def _load_events(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    for record in read_records(seed_dir / "events.json", EventIn):
        row = upsert(session, report, Event, {"slug": record.slug}, event_values(record, refs))
        assert row.id is not None
        topics = topic_ids(record.topics, refs)
        sync_links(session, report, EventTopic, ("event_id", row.id), "topic_id", topics)


def _load_menu_nodes(
    session: Session,
    report: Report,
    refs: Refs,
    menu_id: int,
    nodes: Sequence[MenuNodeIn],
    parent: MenuNode | None,
) -> None:
    for position, node in enumerate(nodes, 1):
        key = f"{parent.key}/{slugify(node.label)}" if parent else slugify(node.label)
        values = menu_node_values(node, refs) | {
            "parent_id": parent.id if parent else None,
            "position": position,
        }
        row = upsert(session, report, MenuNode, {"menu_id": menu_id, "key": key}, values)
        _load_menu_nodes(session, report, refs, menu_id, node.children, row)


def _load_menus(session: Session, report: Report, refs: Refs, seed_dir: Path) -> None:
    for position, record in enumerate(read_records(seed_dir / "menus.json", MenuIn), 1):
        values = {"name": record.name, "position": position}
        menu = upsert(session, report, Menu, {"slug": record.slug}, values)
        assert menu.id is not None
        _load_menu_nodes(session, report, refs, menu.id, record.nodes, None)


def load_seed(engine: Engine, seed_dir: Path = SEED_DIR) -> Report:
    """Load every seed file in one transaction; nothing is written if any file is bad."""
    report, refs = Report(), Refs()
    with Session(engine) as session:
        for load in (
            _load_topics,
            _load_countries,
            _load_field_operations,
            _load_news,
            _load_events,
            _load_menus,
        ):
            load(session, report, refs, seed_dir)
        session.commit()
    return report
