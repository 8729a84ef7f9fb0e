"""Other formats of a collection: by `Accept` on its URL, or by a URL that names the format.

A collection declares the formats it can also be read in (`Collection.formats`: RSS and Atom
for news, iCalendar for events, GeoJSON for anything with a place). `FormatsMiddleware` picks
one per request, before the route runs:

- `/api/v1/news.rss`, a URL a person can paste, names its format; the request then goes to the
  collection's own route (`/api/v1/news`) with every parameter it was given.
- `/api/v1/news` with an `Accept` that prefers one of the collection's formats to JSON.

The route runs as for JSON (the same parameters, filters, paging, errors), and
`collection_response` hands its page to the chosen format instead of writing the envelope. The
answers of a collection with formats carry `Vary: Accept`, which the HTTP cache keys on. What
`Accept` allows none of is refused with a 406 by `PublicHeadersMiddleware`, which asks
`offered()` what a path can produce.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.negotiation import negotiate

JSON = "application/json"
SCOPE_KEY = "api.format"  # the `Negotiated` of a request to a collection with formats


@dataclass(frozen=True)
class Rendering:
    """What a format renders a page from: the route's items, and the rows they were read from
    (which carry the columns a format needs beyond the public fields, such as `updated_at`)."""

    request: Request
    collection: str
    items: Sequence[dict[str, Any]]
    rows: Sequence[Any]
    links: Mapping[str, str | None]  # self, next, prev: URLs of this format


@dataclass(frozen=True)
class Format:
    extension: str  # of the pasteable URL: `/api/v1/news.rss`
    media_type: str  # what `Accept` names
    content_type: str  # what the answer says it is
    render: Callable[[Rendering], bytes]
    # Wider types its pasteable URL answers too (a feed reader may ask for `application/xml`).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Negotiated:
    """The format a request chose (None: JSON), and the path the client asked for."""

    format: Format | None
    path: str


def chosen_format(request: Request) -> Format | None:
    """The format this request chose; None: JSON (or a collection without formats)."""
    negotiated: Negotiated | None = request.scope.get(SCOPE_KEY)
    return negotiated.format if negotiated is not None else None


def offered_types(formats: Iterable[Format]) -> tuple[str, ...]:
    return (JSON, *(f.media_type for f in formats))


class FormatsMiddleware:
    """Picks the format of a request to a collection that offers others (see the module)."""

    def __init__(self, app: ASGIApp, *, formats: Mapping[str, Sequence[Format]]) -> None:
        self.app = app
        # `/api/v1/news` → (its media types, {media type: format}).
        self.collections = {
            path: (offered_types(found), {f.media_type: f for f in found})
            for path, found in formats.items()
            if found
        }
        # `/api/v1/news.rss` → (`/api/v1/news`, its format).
        self.pasteable = {
            f"{path}.{f.extension}": (path, f) for path, found in formats.items() for f in found
        }

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not `async`, as the layers of api/http/middleware.py that let requests through.
        if scope["type"] == "http":
            path = scope["path"]
            offer = self.collections.get(path)
            if offer is not None:
                types, by_type = offer
                accept = _header(scope, b"accept")
                chosen = negotiate(accept, types) if accept else JSON
                scope[SCOPE_KEY] = Negotiated(by_type.get(chosen or JSON), path)
            elif path in self.pasteable:
                collection, chosen_format = self.pasteable[path]
                scope[SCOPE_KEY] = Negotiated(chosen_format, path)
                scope["path"] = collection
                scope["raw_path"] = collection.encode()
        return self.app(scope, receive, send)


def offered(formats: Mapping[str, Sequence[Format]]) -> dict[str, tuple[str, ...]]:
    """What each path of a collection with formats can produce, for the 406 check: its own
    URL JSON and its formats, a pasteable URL its one format."""
    types = {path: offered_types(found) for path, found in formats.items() if found}
    for path, found in formats.items():
        types |= {f"{path}.{f.extension}": (f.media_type, *f.also) for f in found}
    return types


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
