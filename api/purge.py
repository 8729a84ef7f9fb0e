"""`content-api purge-proxy`: purge the caches in front by surrogate key when the content changes.

Responses name what they contain (`Surrogate-Key: api news news/a news/b`, see
api/http/middleware.py). This process watches the content version (LISTEN on PostgreSQL's
primary, which is where NOTIFY is delivered; a poll every POLL_S on SQLite) and, when it moves,
works out which keys the write touched and sends `PURGE` with those keys in `xkey` to every
proxy in PROXY_PURGE_URLS (Varnish with the xkey vmod; see deploy/varnish/).

Which keys: news items and events are looked up by `updated_at` (set on every write through
the models); each changed one purges its own key and its collection's lists. Everything else
purges `api`, every response: the reference tables (countries, topics, field operations, menus)
are embedded in other collections' answers, and a deletion or a write that bypasses
`updated_at` cannot be traced to its items. The editor API's webhooks will say exactly what
changed once they exist; until then this errs on the side of purging more.
"""

import http.client
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from api.config import Settings
from api.content.countries.models import Chairpersonship, Country
from api.content.events.models import Event
from api.content.field_operations.models import FieldOperation
from api.content.menus.models import Menu, MenuNode
from api.content.news.models import News
from api.content.topics.models import Topic
from api.db import make_engine, table

log = logging.getLogger("api.purge")
POLL_S = 0.2
# Writers stamp `updated_at` with their own clock, the version with the database's: look back
# this far before the previous change, purging a few keys twice rather than missing one.
CLOCK_MARGIN = timedelta(seconds=1)
MAX_ITEM_KEYS = 200  # past this many changed items, purge everything
MAX_HEADER_BYTES = 4000  # keys per PURGE request: well under Varnish's 8 kB header limit
ITEMS = ((News, "news"), (Event, "events"))
REFERENCES = (Country, Chairpersonship, Topic, FieldOperation, Menu, MenuNode)
# Its LISTEN connection's name in pg_stat_activity: what an operator (or a test) looks for to
# know it is watching.
APPLICATION_NAME = "content-api purge-proxy"
VERSION_SQL = text("SELECT version, changed_at FROM content_version WHERE id = 1")


def _utc(value: datetime | str) -> datetime:
    """An instant as an aware UTC datetime (SQLite keeps them as UTC text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def changed_keys(engine: Engine, since: datetime) -> list[str]:
    """The surrogate keys of what changed after `since`."""
    keys: list[str] = []
    with engine.connect() as connection:
        for model in REFERENCES:
            latest = connection.execute(select(func.max(table(model).c.updated_at))).scalar()
            if latest is not None and _utc(latest) >= since:
                return ["api"]
        for item_model, collection in ITEMS:
            rows = table(item_model).c
            query = select(rows.slug).where(rows.updated_at >= since).limit(MAX_ITEM_KEYS + 1)
            slugs = list(connection.execute(query).scalars())
            if len(slugs) > MAX_ITEM_KEYS:
                return ["api"]
            if slugs:
                keys += [collection, *(f"{collection}/{slug}" for slug in slugs)]
    return keys or ["api"]


def _batches(keys: list[str]) -> list[str]:
    """The keys as `xkey` header values of at most MAX_HEADER_BYTES each."""
    batches: list[list[str]] = [[]]
    size = 0
    for key in keys:
        if batches[-1] and size + len(key) + 1 > MAX_HEADER_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(key)
        size += len(key) + 1
    return [" ".join(batch) for batch in batches]


def purge(proxies: list[str], keys: list[str]) -> bool:
    """PURGE `keys` at every proxy; False if one of them did not take them all."""
    done = True
    for proxy in proxies:
        url = urlsplit(proxy)
        for batch in _batches(keys):
            connection = http.client.HTTPConnection(url.hostname or "", url.port or 80, timeout=2)
            try:
                connection.request("PURGE", url.path or "/", headers={"xkey": batch})
                status = connection.getresponse().status
            except OSError as exc:
                log.warning("purge at %s failed: %s", proxy, exc)
                status = 0
            finally:
                connection.close()
            if status != 200:
                log.warning("purge at %s failed (%s)", proxy, status or "no answer")
                done = False
                break
    return done


class VersionWatch:
    """Blocks until the content version may have moved: a notification (PostgreSQL) or a
    poll interval (SQLite)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.listener: psycopg.Connection[Any] | None = None

    def wait(self) -> None:
        if self.settings.is_sqlite:
            time.sleep(POLL_S)
            return
        try:
            if self.listener is None or self.listener.closed:
                dsn = self.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
                self.listener = psycopg.connect(
                    dsn, autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME
                )
                self.listener.execute("LISTEN content_version")
            for _ in self.listener.notifies(timeout=1, stop_after=1):
                pass
        except psycopg.Error as exc:
            log.warning("cannot listen for content changes: %s", exc)
            self.listener = None
            time.sleep(1)


def run(settings: Settings, proxies: list[str], rounds: int | None = None) -> None:
    """Watch and purge (for `rounds` waits, or for ever)."""
    engine = make_engine(settings)
    watch = VersionWatch(settings)
    seen: tuple[int, datetime] | None = None
    pending: set[str] = set()
    while rounds is None or rounds > 0:
        rounds = None if rounds is None else rounds - 1
        try:
            with engine.connect() as connection:
                version, changed_at = connection.execute(VERSION_SQL).one()
            if seen is not None and version != seen[0]:
                pending |= set(changed_keys(engine, seen[1] - CLOCK_MARGIN))
        except SQLAlchemyError as exc:
            log.warning("cannot read the content version: %s", str(exc).splitlines()[0])
            time.sleep(1)
            continue
        if seen is None or version != seen[0]:
            seen = (version, _utc(changed_at))
        if pending:
            keys = ["api"] if "api" in pending else sorted(pending)
            if purge(proxies, keys):
                log.info("purged %s (content version %d)", " ".join(keys), version)
                pending.clear()
        watch.wait()
    engine.dispose()
