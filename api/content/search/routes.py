"""Search across collections: `/api/v1/search` (ranked hits with snippets and facets) and
`/api/v1/suggest` (completions of titles and names for a search box)."""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.content.base import CountrySummary
from api.content.catalog import Catalog
from api.content.routing import LIST_ERRORS, Context, PageLinks
from api.content.search.analysis import snippet, words
from api.content.search.query import FACETS, SearchStatement, search_values
from api.http.responses import PageURLs, json_response
from api.locales import LANGUAGES, SOURCE, LangParam
from api.read.fields import FieldChoices
from api.read.params import (
    MAX_LIMIT,
    CommaList,
    DateOrInstant,
    ListItem,
    _searchable,
    date_of,
)
from api.registry import SEARCHABLE

router = APIRouter(tags=["search"])
COLLECTIONS = FieldChoices([s.collection for s in SEARCHABLE])
SUGGESTIONS = 8


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[
        str,
        AfterValidator(_searchable),
        Field(
            min_length=1,
            max_length=200,
            description='Words and "quoted phrases"; every word (stemmed in the language '
            "searched) must match.",
            examples=["elections"],
        ),
    ]
    lang: LangParam = None
    collection: Annotated[CommaList[str], COLLECTIONS] = Field(
        default_factory=list, description="Only these collections (any of them)."
    )
    type: CommaList[ListItem] = Field(
        default_factory=list,
        description="Only items of these types (a news `story`, an event `training`, a field "
        "operation `mission`; States are `participating-state`, partners `partner`, pages "
        "`page`).",
        examples=[["story"]],
    )
    country: CommaList[ListItem] = Field(
        default_factory=list,
        description="ISO code, slug or name in any language of the country an item is in or is.",
        examples=[["AL"]],
    )
    city: CommaList[ListItem] = Field(
        default_factory=list, description="City name in any language.", examples=[["Vienna"]]
    )
    date_from: DateOrInstant | None = Field(default=None, description="Inclusive start date.")
    date_to: DateOrInstant | None = Field(default=None, description="Inclusive end date.")
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT, description="Hits per page (1 to 100).")
    offset: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=0, description="Hits to skip (at most 10,000)."
    )


class SuggestParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, Field(min_length=2, max_length=100, description="What was typed so "
                            "far: every word but the last is whole, the last is a prefix.",
                            examples=["osce mis"])]  # fmt: skip
    lang: LangParam = None
    limit: int = Field(default=SUGGESTIONS, ge=1, le=20, description="Completions (1 to 20).")


class Hit(BaseModel):
    collection: str = Field(examples=["news"])
    slug: str
    href: str = Field(description="Its API path.", examples=["/api/v1/news/some-slug"])
    title: str
    snippet: str = Field(
        description="Its text around the first match, HTML-escaped, each matching word in `<mark>`."
    )
    type: str | None
    date: date | None
    country: CountrySummary | None
    lang: str = Field(description="The language of its title and snippet (English where the "
                      "item has no text in the language searched).")  # fmt: skip
    score: float = Field(description="Relevance: higher is better; comparable within a query.")


class SearchMeta(BaseModel):
    total: int = Field(description="Hits over all pages; a lower bound when `total_exact` is "
                       "false (counting stops at COUNT_CAP, 1,000 by default).")  # fmt: skip
    total_exact: bool = Field(
        description="False when `total` and `facets` are lower bounds; the hits are then the "
        "best of the first matches found (COUNT_CAP of them, or as many as the page needs), "
        "not of every match."
    )
    limit: int
    offset: int
    facets: dict[str, dict[str, int]] = Field(
        description="Hits per collection, type, country (ISO code) and year, over all pages "
        "(over the first COUNT_CAP matches when `total_exact` is false).",
        examples=[{"collection": {"news": 3}, "type": {"story": 2}, "country": {"AL": 1},
                   "year": {"2025": 3}}],
    )  # fmt: skip


class SearchResults(BaseModel):
    """A page of ranked hits; `links` are also in the `Link` header."""

    data: list[Hit]
    meta: SearchMeta
    links: PageLinks


class Suggestion(BaseModel):
    collection: str
    slug: str
    title: str
    href: str


class Suggestions(BaseModel):
    """Completions of what was typed: titles and names that have words starting so."""

    data: list[Suggestion]


def _bit(lang: str) -> int:
    return 1 << LANGUAGES.index(lang)


def _facets(rows: Sequence[Any], catalog: Catalog) -> dict[str, dict[str, int]]:
    """Each facet's counts over `rows`, by value as text; a row without a value is in none.
    Counted in C (`Counter` over `itemgetter`), a country looked up once per country: over
    a search's first 1,001 matches, 0.5 ms where counting row by row in Python took 2.8."""
    counted = {facet: Counter(map(itemgetter(facet), rows)) for facet in FACETS}
    countries: Counter[str] = Counter()
    for country_id, count in counted["country"].items():
        country = catalog.country(country_id) if country_id is not None else None
        if country:
            countries[country["iso_alpha2"]] += count
    counted["country"] = countries
    return {
        facet: {str(value): count for value, count in counts.items() if value is not None}
        for facet, counts in counted.items()
    }


def _hit(row: Any, score: float, q: str, catalog: Catalog) -> dict[str, Any]:
    hit_langs = (row["lang"],) if row["lang"] == SOURCE else (row["lang"], SOURCE)
    return {
        "collection": row["collection"],
        "slug": row["slug"],
        "href": f"/api/v1/{row['collection']}/{row['slug']}",
        "title": row["title"],
        "snippet": snippet(row["body"] or row["title"], q, hit_langs),
        "type": row["type"],
        "date": row["day"],
        "country": catalog.country(row["country_id"]),
        "lang": row["lang"],
        "score": round(-float(score), 6),
    }


@router.get(
    "/search",
    response_model=SearchResults,
    responses=LIST_ERRORS,
    operation_id="listSearchHits",
    summary="Search every collection",
)
async def search(
    request: Request, context: Context, params: Annotated[SearchParams, Query()]
) -> Response:
    """Ranked, stemmed full-text search across news, events, field operations, States,
    partners, institutions and pages, with highlighted snippets and facet counts."""
    catalog, reader = context.catalog, context.reader
    lang = context.lang
    values: dict[str, Any] = {}
    filters: list[str] = []

    def use(name: str, value: Any) -> None:
        if value:
            filters.append(name)
            values[name] = value

    use("collections", params.collection)
    use("types", params.type)
    use("countries", catalog.country_ids(params.country))
    use("cities", catalog.city_keys(params.city))
    use("date_from", params.date_from and date_of(params.date_from))
    use("date_to", params.date_to and date_of(params.date_to))
    dialect = reader.dialect.name
    cap: int = request.app.state.settings.count_cap
    searched = search_values(params.q, lang)
    hits: list[dict[str, Any]] = []
    facets: dict[str, dict[str, int]] = {"collection": {}, "type": {}, "country": {}, "year": {}}
    more = False
    if searched is not None:
        values |= searched
        # The first matches found, enough to count the facets over COUNT_CAP of them (one more
        # tells that there are more) and to fill the page asked for; ranked here.
        wanted = max(cap, params.offset + params.limit) + 1
        candidates = await reader.fetch(
            reader.statement(SearchStatement("candidates", dialect, tuple(filters))),
            values | {"candidates": wanted},
            slow=True,
        )
        facets = _facets(candidates[: cap + 1], catalog)
        ranked = sorted(candidates, key=itemgetter("score", "id"))
        page = ranked[params.offset : params.offset + params.limit]
        more = len(ranked) > params.offset + params.limit
        if page:
            shown = await reader.fetch(
                reader.statement(SearchStatement("hits", dialect)),
                {"ids": [row["id"] for row in page]},
            )
            by_id = {row["id"]: row for row in shown}
            hits = [_hit(by_id[row["id"]], row["score"], params.q, catalog) for row in page]
    # The most frequent first, then by value: the same order on both databases.
    facets = {
        name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        for name, counts in facets.items()
    }
    counted = sum(facets["collection"].values())
    total, exact = (cap, False) if counted > cap else (counted, True)
    urls = PageURLs(request)
    links = {
        "self": urls.url(),
        "next": urls.url(offset=params.offset + params.limit) if more else None,
        "prev": urls.url(offset=max(0, params.offset - params.limit)) if params.offset else None,
    }
    body = {
        "data": hits,
        "meta": {"total": total, "total_exact": exact, "limit": params.limit,
                 "offset": params.offset, "facets": facets},
        "links": links,
    }  # fmt: skip
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    return json_response(body, headers={"Link": link_header})


@router.get(
    "/suggest",
    response_model=Suggestions,
    responses={422: LIST_ERRORS[422]},
    operation_id="listSuggestions",
    summary="Complete a search",
)
async def suggest(
    request: Request, context: Context, params: Annotated[SuggestParams, Query()]
) -> Response:
    """Titles and names with words that start as typed, for a search box."""
    reader, lang = context.reader, context.lang
    typed = words(params.q)[:8]
    values: dict[str, Any] = {
        "q_lang": lang,
        "q_bit": _bit(lang),
        "limit": params.limit,
        "candidates": request.app.state.settings.count_cap,
    }
    if not typed:
        return json_response({"data": []})
    *whole, last = typed
    shape: tuple[str, ...] = ()
    if reader.dialect.name == "sqlite":
        match = " AND ".join([*(f'"{w}"' for w in whole), f'"{last}" *'])
        values["q_match"] = match
    else:
        # The title words from `last` up to the next word that does not begin with it.
        values |= {"low": last, "high": last[:-1] + chr(ord(last[-1]) + 1)}
        if whole:
            shape, values["whole"] = ("whole",), sorted(set(whole))
    statement = reader.statement(SearchStatement("suggest", reader.dialect.name, shape))
    rows = await reader.fetch(statement, values, slow=True)
    data = [
        {
            "collection": row["collection"],
            "slug": row["slug"],
            "title": row["title"],
            "href": f"/api/v1/{row['collection']}/{row['slug']}",
        }
        for row in rows
    ]
    return json_response({"data": data})
