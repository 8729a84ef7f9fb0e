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
from lxml import etree

from api.formats.common import as_instant, latest, stable_id, website_url
from api.http.formats import Format, Rendering

AUTHOR = {"name": "OSCE", "uri": "https://www.osce.org"}
# Each entry's XML kept by the app by (content version, collection, slug, format): feedgen
# builds an entry's elements anew at every write, which made a 100-item feed cost about ten
# times its JSON list. Any write moves the content version, so a kept entry is never stale;
# the oldest go first past this many.
KEPT_ENTRIES = 8192
# The namespaces feedgen declares on an RSS document's root: an item serialised under a root
# that declares them is the same bytes as inside the whole feed.
RSS_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def _feed(page: Rendering) -> FeedGenerator:
    """The feed's own elements, without its entries."""
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
    return feed


def _entries(page: Rendering, kind: str) -> bytes:
    """The page's entries as `kind` ("rss" or "atom") XML, each built once per version."""
    settings = page.request.app.state.settings
    state = page.request.app.state
    version = page.request.scope.get("state", {}).get("content_version")
    if not hasattr(state, "feed_entries"):
        state.feed_entries = OrderedDict()
    kept: OrderedDict[tuple[int, str, str, str], bytes] = state.feed_entries
    written = []
    for item, row in zip(page.items, page.rows, strict=True):
        key = (version, page.collection, item["slug"], kind)
        xml = kept.get(key) if version is not None else None
        if xml is None:
            xml = _entry_xml(_entry(page.collection, item, row, settings), kind)
            if version is not None:
                kept[key] = xml
                if len(kept) > KEPT_ENTRIES:
                    kept.popitem(last=False)
        written.append(xml)
    return b"".join(written)


def _entry_xml(entry: FeedEntry, kind: str) -> bytes:
    if kind == "atom":
        return bytes(etree.tostring(entry.atom_entry(), encoding="UTF-8", xml_declaration=False))
    holder = etree.Element("rss", nsmap=RSS_NAMESPACES)
    holder.append(entry.rss_entry())
    document = bytes(etree.tostring(holder, encoding="UTF-8", xml_declaration=False))
    return document[document.index(b">") + 1 : -len(b"</rss>")]


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


def _with_entries(document: bytes, closing: bytes, entries: bytes) -> bytes:
    """feedgen writes entries as the last children of the channel (RSS) or feed (Atom)."""
    head, found, tail = document.rpartition(closing)
    assert found, closing
    return head + entries + closing + tail


def _rss(page: Rendering) -> bytes:
    document = bytes(_feed(page).rss_str(pretty=False))
    return _with_entries(document, b"</channel>", _entries(page, "rss"))


def _atom(page: Rendering) -> bytes:
    document = bytes(_feed(page).atom_str(pretty=False))
    return _with_entries(document, b"</feed>", _entries(page, "atom"))


XML_TYPES = ("application/xml", "text/xml")
RSS = Format("rss", "application/rss+xml", "application/rss+xml; charset=utf-8", _rss, XML_TYPES)
ATOM = Format(
    "atom", "application/atom+xml", "application/atom+xml; charset=utf-8", _atom, XML_TYPES
)
