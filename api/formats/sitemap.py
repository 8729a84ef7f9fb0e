"""`/sitemap.xml`: the website's pages of every published item, dated by their last change.

The sitemap protocol (sitemaps.org) allows 50,000 URLs in a file: up to `SITEMAP_MAX_URLS`
the sitemap is one `urlset`; past it `/sitemap.xml` is a `sitemapindex` of
`/sitemaps/{n}.xml`, each a `urlset` of the next `SITEMAP_MAX_URLS` URLs. The URLs are those of
the registered collections that declare a `sitemap` source, in the registry's order, each
collection's items by id, so a file holds the same URLs until items are added or removed; each
is the item's page on the website (`WEBSITE_URL_PATTERN`) with `lastmod` its `updated_at`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from lxml import etree
from sqlalchemy import Select, bindparam, func, select
from starlette.responses import Response

from api.content.routing import ItemParams
from api.content.spec import Collection
from api.formats.common import as_instant, website_url
from api.http.problems import ProblemError
from api.read.query import Source
from api.read.reader import Reader, fields_key

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml"


@dataclass(frozen=True)
class SitemapCount:
    source: Source

    key = property(fields_key)

    def build(self) -> Select[Any]:
        table = self.source.from_clause
        return select(func.count().label("total")).select_from(table).where(*self.source.conditions)


@dataclass(frozen=True)
class SitemapRows:
    source: Source

    key = property(fields_key)

    def build(self) -> Select[Any]:
        table = self.source.from_clause
        return (
            select(table.c.slug, table.c.updated_at)
            .where(*self.source.conditions)
            .order_by(self.source.id)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )


def sitemap_router(collections: Sequence[Collection]) -> APIRouter:
    """The sitemap of these collections' items (those that declare a `sitemap` source)."""
    mapped = [(c.name, c.sitemap) for c in collections if c.sitemap is not None]
    router = APIRouter(tags=["discovery"])

    async def counts(reader: Reader) -> list[int]:
        found = []
        for _, source in mapped:
            rows = await reader.fetch(reader.statement(SitemapCount(source)), {})
            found.append(int(rows[0]["total"]))
        return found

    async def urlset(request: Request, start: int, size: int, totals: list[int]) -> bytes:
        """The URLs from the `start`th (0-based) on, at most `size` of them."""
        reader: Reader = request.app.state.reader
        settings = request.app.state.settings
        root = etree.Element("urlset", nsmap={None: NAMESPACE})
        for (name, source), total in zip(mapped, totals, strict=True):
            if start >= total:
                start -= total
                continue
            take = min(size, total - start)
            statement = reader.statement(SitemapRows(source))
            for row in await reader.fetch(statement, {"limit": take, "offset": start}):
                url = etree.SubElement(root, "url")
                etree.SubElement(url, "loc").text = website_url(settings, name, row["slug"])
                lastmod = as_instant(row["updated_at"]).replace(microsecond=0)
                etree.SubElement(url, "lastmod").text = lastmod.isoformat().replace("+00:00", "Z")
            size -= take
            start = 0
            if size == 0:
                break
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    @router.get(
        "/sitemap.xml",
        operation_id="getSitemap",
        summary="The sitemap",
        response_class=Response,
        include_in_schema=False,  # for crawlers: docs/formats.md describes it
    )
    async def sitemap(request: Request, params: Annotated[ItemParams, Query()]) -> Response:
        """The website's pages of every published item, or past `SITEMAP_MAX_URLS` an index of
        sitemap files."""
        per_file = request.app.state.settings.sitemap_max_urls
        totals = await counts(request.app.state.reader)
        files = -(-sum(totals) // per_file)
        if files <= 1:
            return Response(await urlset(request, 0, per_file, totals), media_type=XML)
        root = etree.Element("sitemapindex", nsmap={None: NAMESPACE})
        base = str(request.base_url).rstrip("/")
        for number in range(1, files + 1):
            entry = etree.SubElement(root, "sitemap")
            etree.SubElement(entry, "loc").text = f"{base}/sitemaps/{number}.xml"
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return Response(bytes(body), media_type=XML)

    @router.get(
        "/sitemaps/{number}.xml",
        operation_id="getSitemapFile",
        summary="One file of the sitemap index",
        response_class=Response,
        include_in_schema=False,
    )
    async def sitemap_file(
        request: Request,
        number: Annotated[int, Path(ge=1, le=1_000_000)],
        params: Annotated[ItemParams, Query()],
    ) -> Response:
        """The `number`th file of the sitemap index (1-based)."""
        per_file = request.app.state.settings.sitemap_max_urls
        totals = await counts(request.app.state.reader)
        if (number - 1) * per_file >= sum(totals) or sum(totals) <= per_file:
            raise ProblemError(404, "not-found", f"The sitemap has no file {number}.")
        body = await urlset(request, (number - 1) * per_file, per_file, totals)
        return Response(body, media_type=XML)

    return router
