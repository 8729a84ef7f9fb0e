"""Content negotiation (RFC 9110 §12.5.1): which of the types a route can produce a client takes.

One function for every route: the API's JSON routes offer `application/json` today, and a route
that also offers a feed or a calendar passes those types too. A client that accepts none of
them gets a 406 problem naming what the route can produce, rather than JSON it did not ask for.
"""

from functools import lru_cache


def _quality(parameters: list[str]) -> float | None:
    """The `q` of a media range; None when it is not a valid qvalue (the range is ignored)."""
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0


@lru_cache(maxsize=256)
def _ranges(accept: str) -> tuple[tuple[str, str, float], ...]:
    ranges = []
    for item in accept.split(","):
        media_range, *parameters = item.split(";")
        kind, _, subtype = media_range.strip().lower().partition("/")
        quality = _quality(parameters)
        if kind and subtype and quality is not None:
            ranges.append((kind, subtype, quality))
    return tuple(ranges)


def _quality_of(media_type: str, ranges: tuple[tuple[str, str, float], ...]) -> float:
    """The quality the most specific matching range gives `media_type` (0: none matches)."""
    kind, _, subtype = media_type.partition("/")
    best, quality = -1, 0.0
    for range_kind, range_subtype, range_quality in ranges:
        if range_kind == kind and range_subtype == subtype:
            specificity = 2
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif range_kind == "*" and range_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best:
            best, quality = specificity, range_quality
    return quality


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered type the client prefers (the first on a tie), or None: answer 406.

    No `Accept` (or an empty one) accepts anything; `q=0` refuses a type even where a wider
    range would accept it.
    """
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:  # nothing parseable: treated as no preference, as most servers do
        return offered[0]
    chosen, best = None, 0.0
    for media_type in offered:
        quality = _quality_of(media_type, ranges)
        if quality > best:
            chosen, best = media_type, quality
    return chosen
