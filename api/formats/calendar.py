"""Events as iCalendar (RFC 5545), written by the `icalendar` package.

A calendar app that subscribes to `/api/v1/events.ics` (or any filtered list of events) sees
each event once, under a `UID` made from its slug, and takes a changed event for an update:
`SEQUENCE` is the row's `revision`, which the services raise by one at every change they
make, and `DTSTAMP`/`LAST-MODIFIED` are that change. All-day events are `VALUE=DATE` with the
exclusive end RFC 5545 asks for (the day after `ends_on`); timed events are in their own time
zone (`TZID`), whose `VTIMEZONE` the calendar carries.
"""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vGeo

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


def _ics(page: Rendering) -> bytes:
    settings = page.request.app.state.settings
    calendar = Calendar()
    calendar.add("prodid", "-//OSCE Content API//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", "OSCE events")
    calendar.add("x-wr-calname", "OSCE events")
    # Subscribers refresh daily (RFC 7986 and the older X-PUBLISHED-TTL that Outlook reads).
    calendar.add("refresh-interval", timedelta(days=1))
    calendar.add("x-published-ttl", "P1D")
    for item, row in zip(page.items, page.rows, strict=True):
        calendar.add_component(_event(item, row, settings))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


ICALENDAR = Format("ics", "text/calendar", "text/calendar; charset=utf-8", _ics)
