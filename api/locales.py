"""The six languages of the API: which one a request gets, and where a missing text comes from.

English is the source language: every item has its English text in its own row, and the other
five languages are translations stored apart (`api/content/translations`). A request names its
language by `lang` or, without it, by `Accept-Language` (RFC 9110 §12.5.4), matched by the
*lookup* scheme of RFC 4647 §3.4: the ranges by descending quality, each truncated from the
right until it names a language the API has (`fr-CH` → `fr`); `*` or nothing acceptable gives
English. A text missing in the chosen language is taken from the next language of its fallback
chain (by default the requested language, then English; `LOCALE_FALLBACKS` changes it).

A request costs one scan of its query string for `lang=` and one dictionary lookup of its
`Accept-Language` value (parsed once per distinct value, in a bounded cache).
"""

from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import unquote_to_bytes

from pydantic import BeforeValidator, Field

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "it", "ru", "es")
SOURCE = "en"
Language = Literal["en", "fr", "de", "it", "ru", "es"]
_KNOWN = frozenset(LANGUAGES)


def lookup(tag: str) -> str | None:
    """RFC 4647 lookup of one language tag among LANGUAGES: `de-AT` → `de`; None if none fits."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    while parts:
        candidate = "-".join(parts)
        if candidate in _KNOWN:
            return candidate
        parts.pop()
        if parts and len(parts[-1]) == 1:  # a singleton (`x`, `u`) never ends a range
            parts.pop()
    return None


def _tag_of_parameter(value: object) -> object:
    """`lang=fr-CH` is `fr`; a tag the API cannot serve stays as it is, and fails validation."""
    if isinstance(value, str):
        return lookup(value) or value
    return value


LangParam = Annotated[
    Language | None,
    BeforeValidator(_tag_of_parameter),
    Field(
        examples=["fr"],
        description="The language of the answer: en, fr, de, it, ru or es (a longer tag such "
        "as `fr-CH` is looked up as `fr`). Without it, `Accept-Language` decides; English by "
        "default. Texts missing in this language fall back (see each item's `fallback`).",
    ),
]


@lru_cache(maxsize=512)
def negotiate(accept_language: bytes | None) -> str:
    """The language an `Accept-Language` value asks for (RFC 4647 §3.4 lookup, q-values)."""
    if not accept_language:
        return SOURCE
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.decode("latin-1").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and 0 < quality <= 1:
            ranges.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranges):
        if tag == "*":
            return SOURCE
        found = lookup(tag)
        if found is not None:
            return found
    return SOURCE


def requested_language(query_string: bytes, headers: list[tuple[bytes, bytes]]) -> str:
    """The language of a request: its `lang` parameter if the API has it, else its
    `Accept-Language`. (A `lang` the API does not have is refused by the parameter models.)"""
    if query_string.find(b"lang=") >= 0:  # not `in`: see api.http.cache._query_key
        for part in query_string.split(b"&"):
            if part.startswith(b"lang="):
                found = lookup(unquote_to_bytes(part[5:]).decode("utf-8", "replace"))
                if found is not None:
                    return found
    for name, value in headers:
        if name == b"accept-language":
            return negotiate(value)
    return SOURCE


def fallback_chain(language: str, fallbacks: dict[str, list[str]]) -> tuple[str, ...]:
    """Where the texts of an answer in `language` come from, in order: the language itself,
    its configured fallbacks, and English last."""
    chain = [language, *fallbacks.get(language, []), SOURCE]
    return tuple(dict.fromkeys(lang for lang in chain if lang in _KNOWN))
