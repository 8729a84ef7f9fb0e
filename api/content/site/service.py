"""Writes of the site's settings (one row)."""

from pathlib import Path

import orjson
from sqlmodel import Session

from api.content.service import Changes, Refs, read_records, upsert
from api.content.site.models import Site, SiteIn


def save_site(session: Session, refs: Refs, changes: Changes, record: SiteIn) -> Site:
    refs.id("page", record.home_page)  # the home page must exist
    values = {
        "name": record.name,
        "short_name": record.short_name,
        "logo_slug": record.logo,
        "home_page_slug": record.home_page,
        "languages": orjson.dumps([x.model_dump() for x in record.languages]).decode(),
        "social": orjson.dumps([x.model_dump(mode="json") for x in record.social]).decode(),
    }
    return upsert(session, changes, Site, {"slug": record.slug}, values)


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`site.json`: one record."""
    for record in read_records(seed_dir / "site.json", SiteIn):
        save_site(session, refs, changes, record)
