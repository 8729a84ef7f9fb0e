"""The JSON answers of the API: the collection envelope with its `Link` header, and one item."""

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from api.http.formats import SCOPE_KEY, Negotiated, Rendering
from api.http.problems import invalid_parameter
from api.read.paging import Pagination, sorted_parts
from api.read.params import ListParams


def json_response(
    content: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status, dict(headers or {}), media_type="application/json")


def canonical_url(
    request: Request,
    *,
    cursor: str | None = None,
    offset: int | None = None,
    path: str | None = None,
) -> str:
    """The request's URL with its parameters in a stable order (the HTTP cache keys on that
    order too, so equivalent requests share one cached body); with `cursor` or `offset`, the
    URL of the page it points to; with `path`, at that path (a format's pasteable URL)."""
    parts = list(sorted_parts(request.scope["query_string"]))
    if cursor is not None or offset is not None:
        parts = [p for p in parts if p.partition("=")[0] not in ("offset", "cursor")]
        parts.append(f"cursor={cursor}" if cursor is not None else f"offset={offset}")
    scope = request.scope
    host = request.headers.get("host") or "{}:{}".format(*scope["server"])
    base = f"{scope['scheme']}://{host}{scope.get('root_path', '')}{path or scope['path']}"
    return f"{base}?{'&'.join(parts)}" if parts else base


def collection_response(
    request: Request, items: list[dict[str, Any]], page: Pagination, params: ListParams
) -> Response:
    """The collection envelope, with `links` mirrored in an RFC 8288 `Link` header; or the
    page in the format the request chose (api/http/formats.py)."""
    negotiated: Negotiated | None = request.scope.get(SCOPE_KEY)
    path = negotiated.path if negotiated is not None else None
    prev = None
    if page.prev:
        prev = canonical_url(request, cursor=page.prev, path=path)
    elif page.prev_offset is not None:
        prev = canonical_url(request, offset=page.prev_offset, path=path)
    links = {
        "self": canonical_url(request, path=path),
        "next": canonical_url(request, cursor=page.next, path=path) if page.next else None,
        "prev": prev,
    }
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    # The slugs of the rows in the answer (whatever fields were asked for): the surrogate keys
    # of api/http/middleware.py.
    slugs = " ".join([slug for row in page.rows if (slug := row.get("slug"))])
    headers = {"Link": link_header, "Surrogate-Slugs": slugs}
    if negotiated is not None:
        headers["Vary"] = "Accept"
        chosen = negotiated.format
        if chosen is not None:
            if getattr(params, "fields", None):
                raise invalid_parameter("fields", "only JSON answers can leave fields out")
            collection = path.rsplit("/", 1)[-1].partition(".")[0] if path else ""
            rendered = chosen.render(Rendering(request, collection, items, page.rows, links))
            return Response(rendered, 200, headers, media_type=chosen.content_type)
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
    return json_response(body, headers=headers)


def item_response(item: dict[str, Any]) -> Response:
    # Without `slug` among the fields asked for, the key is taken from the path.
    keys = {"Surrogate-Slugs": item["slug"]} if "slug" in item else None
    return json_response({"data": item}, headers=keys)
