"""Writes of countries: participating States and partners share one table, and a State's
Chairpersonship years are rows of their own."""

from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.content.countries.models import (
    Chairpersonship,
    Country,
    CountryKind,
    PartnerIn,
    StateIn,
)
from api.content.search.service import index_item
from api.content.service import Changes, Refs, read_records, upsert
from api.content.spec import Searchable, Translatable
from api.content.translations.service import save_name_keys
from api.db import table
from api.text import city_key, search_text, sort_key

TRANSLATABLE = Translatable(
    "country",
    table(Country),
    ("name", "capital"),
    key="iso_alpha2",
    sorted_by="name",
    sorted_within="kind",
)


COUNTRY = table(Country)
STATES, PARTNERS = (
    Searchable(
        collection, TRANSLATABLE, "name", ("capital",), date="joined_on", type_value=kind,
        country="id", city="capital_slug", where=(COUNTRY.c.kind == kind,),
    )
    for collection, kind in (
        ("states", CountryKind.participating_state.value), ("partners", CountryKind.partner.value)
    )
)  # fmt: skip


def country_values(record: StateIn | PartnerIn) -> dict[str, Any]:
    common = {
        "name": record.name,
        "sort_name": sort_key(record.name),
        "iso_alpha2": record.iso_alpha2,
        "iso_alpha3": record.iso_alpha3,
        "region": record.region.value,
        "capital": record.capital.name,
        "capital_slug": city_key(record.capital.name),
        "latitude": record.capital.latitude,
        "longitude": record.capital.longitude,
        "search_text": search_text(record.name, record.capital.name),
    }
    if isinstance(record, StateIn):
        kind = {"kind": CountryKind.participating_state.value, "partner_group": None}
        return common | kind | {"joined_on": record.joined_on}
    kind = {"kind": CountryKind.partner.value, "partner_group": record.group.value}
    return common | kind | {"joined_on": record.partner_since}


def save_country(
    session: Session, refs: Refs, changes: Changes, record: StateIn | PartnerIn
) -> Country:
    """A State (with its Chairpersonship years) or a partner."""
    row = upsert(session, changes, Country, {"slug": record.slug}, country_values(record))
    refs.add("country", record.iso_alpha2, row.id)
    refs.add("state" if isinstance(record, StateIn) else "partner", record.slug, row.id)
    refs.country_region[record.iso_alpha2] = record.region.value
    assert row.id is not None
    save_name_keys(session, changes, TRANSLATABLE, row.id, record.name)
    index_item(session, STATES if isinstance(record, StateIn) else PARTNERS, row.id)
    if isinstance(record, StateIn):
        for year in record.chairpersonship_years:
            upsert(session, changes, Chairpersonship, {"year": year}, {"country_id": row.id})
    return row


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`states.json`, then `partners.json`."""
    records: list[StateIn | PartnerIn] = [
        *read_records(seed_dir / "states.json", StateIn),
        *read_records(seed_dir / "partners.json", PartnerIn),
    ]
    for record in records:
        save_country(session, refs, changes, record)
