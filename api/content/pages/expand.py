"""A page's blocks as the API answers them: each reference with its API path and, with
`expand`, the items themselves, read by in-process GETs of the public routes.

Reading through the public routes (through the whole middleware stack, the response cache
included) means an expanded item is exactly what its own URL answers, a draft is never
expanded (its URL is a 404: the item stays null), and nothing here knows any collection's
fields. `expand` is bounded (0-2): at 2, pages referred to are expanded once more, no further.
Expanded items are in the page's language (`lang`); the `href`s name no language.
"""

from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from pydantic import TypeAdapter

from api.content.pages.blocks import Block, ItemRef, QueryBlock, refs_of
from api.locales import SOURCE

PREFIX = "/api/v1"
BLOCKS: TypeAdapter[list[Block]] = TypeAdapter(list[Block])
MAX_EXPAND = 2


def query_href(block: QueryBlock) -> str:
    parameters = {**block.parameters, "limit": str(block.limit)}
    return f"{PREFIX}/{block.collection}?{urlencode(sorted(parameters.items()), safe=',')}"


async def internal_get(request: Request, path: str, query: str = "") -> Any:
    """The JSON a public GET of `path?query` answers this request's host; None if not a 200."""
    host = request.headers.get("host", "localhost")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": request.url.scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", host.encode()), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 0),
        "server": request.scope.get("server"),
    }
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)
    return orjson.loads(b"".join(chunks)) if status == 200 else None


async def answered_body(
    request: Request, stored: str, expand: int, lang: str = SOURCE
) -> list[dict[str, Any]]:
    """The stored blocks with `href` on every reference and query, and with `expand` > 0 the
    items they name, in `lang`."""
    blocks = BLOCKS.validate_json(stored)
    in_lang = [] if lang == SOURCE else [f"lang={lang}"]
    for block in blocks:
        for ref in refs_of(block):
            ref.href = f"{PREFIX}/{ref.collection}/{ref.slug}"
            if expand:
                await _resolve(request, ref, expand, in_lang)
        if isinstance(block, QueryBlock):
            block.href = query_href(block)
            if expand:
                path, _, query = block.href.partition("?")
                found = await internal_get(request, path, "&".join([query, *in_lang]))
                block.items = found["data"] if found else []
    return [block.model_dump(mode="json") for block in blocks]


async def _resolve(request: Request, ref: ItemRef, expand: int, in_lang: list[str]) -> None:
    deeper = expand - 1 if ref.collection == "pages" else 0
    query = "&".join([*([f"expand={deeper}"] if deeper else []), *in_lang])
    found = await internal_get(request, f"{PREFIX}/{ref.collection}/{ref.slug}", query)
    ref.item = found["data"] if found else None
