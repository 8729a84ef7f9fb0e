"""Events as iCalendar (RFC 5545), written by the `icalendar` package.

A calendar app that subscribes to `/api/v1/events.ics` (or any filtered list of events) sees
each event once, under a `UID` made from its slug, and takes a changed event for an update:
`SEQUENCE` is the row's `revision`, which the services raise by one at every change they
make, and `DTSTAMP`/`LAST-MODIFIED` are that change. All-day events are `VALUE=DATE` with the
exclusive end RFC 5545 asks for (the day after `ends_on`); timed events are in their own time
zone (`TZID`), whose `VTIMEZONE` the calendar carries.
"""

from collections import OrderedDict
from datetime import timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vGeo

from api.formats.common import as_instant, stable_id, website_url
from api.http.formats import Format, Rendering
from api.read.query import as_date


def _event(item: dict[str, Any], row: Any, settings: Any) -> Event:
    event = Event()
    created, changed = as_instant(row["created_at"]), as_instant(row["updated_at"])
    event.add("uid", stable_id(settings, "events", item["slug"]))
    event.add("dtstamp", changed)
    event.add("created", created)
    event.add("last-modified", changed)
    event.add("sequence", row["revision"])
    event.add("summary", item["title"])
    event.add("description", f"{item['summary']}\n\nOrganiser: {item['organiser']}")
    if item["all_day"]:
        event.add("dtstart", as_date(item["starts_on"]))
        event.add("dtend", as_date(item["ends_on"]) + timedelta(days=1))
    else:
        zone = ZoneInfo(item["time_zone"])
        event.add("dtstart", as_instant(item["starts_at"]).astimezone(zone))
        event.add("dtend", as_instant(item["ends_at"]).astimezone(zone))
    location = item["location"]
    if location is not None:
        country = location["country"]["name"] if location["country"] else None
        parts = (location["venue"], location["city"], location["territory"], country)
        event.add("location", ", ".join(p for p in parts if p))
        if location["latitude"] is not None and location["longitude"] is not None:
            event.add("geo", vGeo((location["latitude"], location["longitude"])))
    event.add("url", website_url(settings, "events", item["slug"]))
    event.add("categories", [item["type"], *(t["slug"] for t in item["topics"])])
    return event


class _Written(Calendar):
    """A calendar whose events were written before (see `_written`): icalendar writes the
    calendar's own lines and its time zones, and puts the events' lines in between."""

    def __init__(self, events: list[bytes]) -> None:
        super().__init__()
        self.written = events

    def to_ical(self, sorted: bool = True) -> bytes:
        whole: bytes = super().to_ical(sorted)
        head, _, tail = whole.rpartition(b"END:VCALENDAR")
        return head + b"".join(self.written) + tail + b"END:VCALENDAR\r\n"


def _ics(page: Rendering) -> bytes:
    state = page.request.app.state
    settings = state.settings
    version = page.request.scope.get("state", {}).get("content_version")
    if not hasattr(state, "written_events"):
        state.written_events = OrderedDict()
    events = [
        _written(state.written_events, version, settings, item, row)
        if version is not None
        else bytes(_event(item, row, settings).to_ical())
        for item, row in zip(page.items, page.rows, strict=True)
    ]
    calendar = _Written(events)
    calendar.add("prodid", "-//OSCE Content API//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", "OSCE events")
    calendar.add("x-wr-calname", "OSCE events")
    # Subscribers refresh daily (RFC 7986 and the older X-PUBLISHED-TTL that Outlook reads).
    calendar.add("refresh-interval", timedelta(days=1))
    calendar.add("x-published-ttl", "P1D")
    zones = dict.fromkeys(item["time_zone"] for item in page.items if not item["all_day"])
    for zone in zones:
        calendar.add_component(_vtimezone(zone))
    return bytes(calendar.to_ical())


WRITTEN_EVENTS = 4096


def _written(
    written: OrderedDict[tuple[int, str], bytes],
    version: int,
    settings: Any,
    item: dict[str, Any],
    row: Any,
) -> bytes:
    """An event's VEVENT as icalendar wrote it, kept by the app by (content version, slug):
    writing one costs about 0.4 ms, several times its JSON. Any write moves the content
    version, so a kept one is never stale (its country names and topics included); the oldest
    go first past WRITTEN_EVENTS."""
    key = (version, item["slug"])
    found = written.get(key)
    if found is None:
        found = written[key] = bytes(_event(item, row, settings).to_ical())
        if len(written) > WRITTEN_EVENTS:
            written.popitem(last=False)
    return found


@lru_cache(maxsize=64)
def _vtimezone(name: str) -> Timezone:
    """The VTIMEZONE of an IANA zone (its transitions from 1970 to 2038, as icalendar writes
    them): about 10 ms to build, so each worker builds each zone once. A component is only
    read when a calendar is written, so one may serve every calendar."""
    return Timezone.from_tzinfo(ZoneInfo(name))


ICALENDAR = Format("ics", "text/calendar", "text/calendar; charset=utf-8", _ics)
