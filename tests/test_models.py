"""The input models reject inconsistent records before they reach the database."""

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from api.content.base import LocationIn
from api.content.events.models import EventIn
from api.content.field_operations.models import FieldOperationIn
from api.content.menus.models import MenuNodeIn
from api.read.fields import Computed, PublicFields

EVENT: dict[str, Any] = {
    "slug": "an-event",
    "title": "An event",
    "type": "meeting",
    "all_day": True,
    "starts_on": "2025-05-01",
    "ends_on": "2025-05-02",
    "time_zone": "Europe/Vienna",
    "summary": "S",
    "organiser": "O",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2025-04-30"}, "ends_on is before starts_on"),
        ({"starts_at": "2025-05-01T08:00:00Z"}, "dates only"),
        ({"all_day": False}, "needs starts_at and ends_at"),
        ({"time_zone": "Mars/Olympus"}, "unknown IANA time zone"),
        ({"time_zone": "../../etc/passwd"}, "unknown IANA time zone"),
        ({"all_day": False, "starts_at": "2025-05-01T22:30:00Z", "ends_at": "2025-05-02T08:00:00Z"},
         "local dates"),
        ({"all_day": False, "starts_at": "2025-05-01T09:00:00", "ends_at": "2025-05-02T08:00:00Z"},
         "timezone"),
    ],
)  # fmt: skip
def test_event_in_rejects_inconsistent_times(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EventIn.model_validate(EVENT | change)


def test_timed_event_in_local_dates() -> None:
    # 22:30 UTC on 1 May is already 2 May in Vienna (UTC+2).
    event = EventIn.model_validate(
        EVENT
        | {
            "all_day": False,
            "starts_on": "2025-05-02",
            "starts_at": "2025-05-01T22:30:00Z",
            "ends_at": "2025-05-02T08:00:00Z",
        }
    )
    assert event.starts_on == date(2025, 5, 2)


def test_location_needs_both_coordinates() -> None:
    with pytest.raises(ValidationError, match="both latitude and longitude"):
        LocationIn(latitude=1.0)
    with pytest.raises(ValidationError):
        LocationIn(latitude=91.0, longitude=0.0)


def test_field_operation_cannot_close_before_it_opens() -> None:
    with pytest.raises(ValidationError, match="closed_on is before established_on"):
        FieldOperationIn.model_validate(
            {
                "slug": "x",
                "name": "X",
                "type": "mission",
                "location": {},
                "host_state": None,
                "established_on": "2000-01-01",
                "closed_on": "1999-01-01",
                "mandate": "M",
            }
        )


@pytest.mark.parametrize(
    "node",
    [
        {"label": "Both", "path": "/a", "url": "https://x.org"},
        {"label": "Neither"},
        {"label": "Bad path", "path": "no-leading-slash"},
        {"label": "Bad url", "url": "javascript:alert(1)"},
    ],
)
def test_menu_node_has_exactly_one_valid_target(node: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MenuNodeIn.model_validate(node)


# --- public fields (api/read/fields.py) --------------------------------------------------------


class _Shown(BaseModel):
    slug: str
    when: str
    loud: str
    count: int


class _Column:
    """What a reading needs of a column: its name."""

    def __init__(self, name: str) -> None:
        self.name = name


def _loud(row: dict[str, Any], _context: Any) -> str:
    return str(row["slug"]).upper()


def test_public_fields_read_columns_expressions_and_calls_alike() -> None:
    fields = PublicFields(
        _Shown,
        {
            "slug": _Column("slug"),
            "when": Computed.of((_Column("at"),), "stamp(row['at'])", stamp=lambda v: f"@{v}"),
            "loud": Computed((_Column("slug"),), _loud),
            "count": Computed.of((_Column("n"),), "row['n'] + context"),
        },
    )
    row = {"slug": "a", "at": "noon", "n": 2}
    assert fields.item(row, 40) == {"slug": "a", "when": "@noon", "loud": "A", "count": 42}
    assert fields.items([row], 1, ["count", "slug"]) == [{"slug": "a", "count": 3}]
    assert [c.name for c in fields.columns] == ["slug", "at", "slug", "n"]  # distinct objects
    # The expression form computes the same value when called.
    reading = Computed.of((_Column("n"),), "row['n'] * 2")
    assert reading.value({"n": 4}, None) == 8


def test_two_expressions_that_name_one_thing_differently_stop_the_app() -> None:
    with pytest.raises(TypeError, match="two readings name 'f'"):
        PublicFields(
            _Shown,
            {
                "slug": Computed.of((_Column("s"),), "f(row['s'])", f=str.upper),
                "when": Computed.of((_Column("s"),), "f(row['s'])", f=str.lower),
                "loud": _Column("s"),
                "count": _Column("n"),
            },
        )
