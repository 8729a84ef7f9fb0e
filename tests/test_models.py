"""The input models reject inconsistent records before they reach the database."""

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from api.content.base import LocationIn
from api.content.events.models import EventIn
from api.content.field_operations.models import FieldOperationIn
from api.content.menus.models import MenuNodeIn

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
