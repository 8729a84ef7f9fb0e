"""News as RSS 2.0 and Atom 1.0, written by feedgen from the page the JSON list would answer.

Each entry's id (Atom `id`, RSS `guid`) is a tag URI of its slug (`common.stable_id`): readers
that have seen an item never see it again as new. `updated` is the row's own `updated_at`,
the feed's the latest of its entries; each entry links to its page on the website. The feed
links to the next page of the same query (RFC 5005's `next`), as the JSON's `links` do.
"""

from collections import OrderedDict
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from api.formats.common import as_instant, latest, stable_id, website_url
from api.http.formats import Format, Rendering

AUTHOR = {"name": "OSCE", "uri": "https://www.osce.org"}
# Entries kept by the app by (content version, collection, slug), for RSS and Atom alike:
# building one costs about as much as writing it. Any write moves the content version, so a
# kept entry is never stale; the oldest go first past this many.
KEPT_ENTRIES = 4096


def _feed(page: Rendering) -> FeedGenerator:
    settings = page.request.app.state.settings
    feed = FeedGenerator()
    self_url = page.links["self"] or ""
    feed.id(self_url)
    feed.title(f"OSCE {page.collection}")
    feed.subtitle(f"The OSCE's {page.collection}, newest first, from the OSCE Content API.")
    feed.author(AUTHOR)
    feed.link(href=self_url, rel="self")
    feed.link(href=settings.website_url_pattern.split("{", 1)[0], rel="alternate")
    if page.links["next"]:
        feed.link(href=page.links["next"], rel="next")
    feed.language("en")
    feed.generator("OSCE Content API")
    # Dated by its content, never by the clock: the same page is the same bytes (and ETag).
    updated = latest(page.request, page.rows)
    feed.updated(updated)
    feed.lastBuildDate(updated)
    state = page.request.app.state
    version = page.request.scope.get("state", {}).get("content_version")
    if not hasattr(state, "feed_entries"):
        state.feed_entries = OrderedDict()
    kept: OrderedDict[tuple[int, str, str], FeedEntry] = state.feed_entries
    for item, row in zip(page.items, page.rows, strict=True):
        key = (version, page.collection, item["slug"])
        entry = kept.get(key) if version is not None else None
        if entry is None:
            entry = _entry(page.collection, item, row, settings)
            if version is not None:
                kept[key] = entry
                if len(kept) > KEPT_ENTRIES:
                    kept.popitem(last=False)
        feed.add_entry(entry, order="append")
    return feed


def _entry(collection: str, item: dict[str, Any], row: Any, settings: Any) -> FeedEntry:
    entry = FeedEntry()
    entry.id(stable_id(settings, collection, item["slug"]))
    entry.guid(stable_id(settings, collection, item["slug"]), permalink=False)
    entry.title(item["title"])
    entry.link(href=website_url(settings, collection, item["slug"]), rel="alternate")
    entry.published(as_instant(item["published_at"]))
    entry.updated(as_instant(row["updated_at"]))
    entry.summary(item["summary"])
    entry.content(item["body"], type="text")
    entry.category([{"term": item["type"], "label": item["type"].replace("-", " ")}])
    for topic in item["topics"]:
        entry.category([{"term": topic["slug"], "label": topic["name"]}])
    return entry


def _rss(page: Rendering) -> bytes:
    return bytes(_feed(page).rss_str(pretty=False))


def _atom(page: Rendering) -> bytes:
    return bytes(_feed(page).atom_str(pretty=False))


XML_TYPES = ("application/xml", "text/xml")
RSS = Format("rss", "application/rss+xml", "application/rss+xml; charset=utf-8", _rss, XML_TYPES)
ATOM = Format(
    "atom", "application/atom+xml", "application/atom+xml; charset=utf-8", _atom, XML_TYPES
)
