"""The JSON answers of the API: the collection envelope with its `Link` header, and one item."""

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from api.http.cache import SLUGS, request_headers
from api.http.formats import SCOPE_KEY, Negotiated, Rendering
from api.http.problems import invalid_parameter
from api.read.paging import Pagination, sorted_parts
from api.read.params import ListParams

JSON_TYPE = (b"content-type", b"application/json")


class JSONResponse(Response):
    """JSON bytes, with their head put together here: Starlette's `Response` lowercases,
    encodes and scans the headers it is given in Python, about 180 bytecode instructions for
    a page of news (bench/README.md, "6 Dec"). `headers` are the route's own, lowercase, and
    never Content-Type or Content-Length."""

    media_type = "application/json"

    def __init__(self, body: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code, self.body, self.background = status, body, None
        self.raw_headers = [*headers, JSON_TYPE, (b"content-length", str(len(body)).encode())]


def json_bytes(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_UTC_Z)


def json_response(
    content: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json_bytes(content)
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    return JSONResponse(body, status, raw)


class PageURLs:
    """The URLs of a request's pages: its own with its parameters in a stable order (the HTTP
    cache keys on that order too, so equivalent requests share one cached body), and those
    its `cursor` or `offset` points to; with `path`, at that path (a format's pasteable URL).
    The sorted parameters and the base are found once for the links of a page."""

    def __init__(self, request: Request, path: str | None = None) -> None:
        scope = request.scope
        self.parts = sorted_parts(scope["query_string"])
        host = request_headers(scope).get(b"host")
        authority = host.decode("latin-1") if host else "{}:{}".format(*scope["server"])
        self.base = f"{scope['scheme']}://{authority}{scope.get('root_path', '')}"
        self.base += path or scope["path"]

    def url(self, *, cursor: str | None = None, offset: int | None = None) -> str:
        parts = self.parts
        if cursor is not None or offset is not None:
            parts = tuple(p for p in parts if p.partition("=")[0] not in ("offset", "cursor"))
            parts += (f"cursor={cursor}" if cursor is not None else f"offset={offset}",)
        return f"{self.base}?{'&'.join(parts)}" if parts else self.base


def collection_response(
    request: Request, items: list[dict[str, Any]], page: Pagination, params: ListParams
) -> Response:
    """The collection envelope, with `links` mirrored in an RFC 8288 `Link` header; or the
    page in the format the request chose (api/http/formats.py)."""
    negotiated: Negotiated | None = request.scope.get(SCOPE_KEY)
    path = negotiated.path if negotiated is not None else None
    urls = PageURLs(request, path)
    prev = None
    if page.prev:
        prev = urls.url(cursor=page.prev)
    elif page.prev_offset is not None:
        prev = urls.url(offset=page.prev_offset)
    links = {
        "self": urls.url(),
        "next": urls.url(cursor=page.next) if page.next else None,
        "prev": prev,
    }
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    # The slugs of the rows in the answer (whatever fields were asked for): the surrogate keys
    # of api/http/middleware.py.
    slugs = " ".join([slug for row in page.rows if (slug := row.get("slug"))])
    headers = [(b"link", link_header.encode("latin-1")), (SLUGS, slugs.encode("latin-1"))]
    if negotiated is not None:
        headers.append((b"vary", b"Accept"))
        chosen = negotiated.format
        if chosen is not None:
            if getattr(params, "fields", None):
                raise invalid_parameter("fields", "only JSON answers can leave fields out")
            collection = path.rsplit("/", 1)[-1].partition(".")[0] if path else ""
            rendered = chosen.render(Rendering(request, collection, items, page.rows, links))
            response = Response(rendered, 200, media_type=chosen.content_type)
            response.raw_headers[:0] = headers
            return response
    body = {
        "data": items,
        "meta": {
            "total": page.total,
            "total_exact": page.total_exact,
            "limit": params.limit,
            "offset": page.offset,
        },
        "links": links,
    }
    return JSONResponse(json_bytes(body), 200, headers)


def item_response(item: dict[str, Any]) -> Response:
    # Without `slug` among the fields asked for, the key is taken from the path.
    keys = {"Surrogate-Slugs": item["slug"]} if "slug" in item else None
    return json_response({"data": item}, headers=keys)
