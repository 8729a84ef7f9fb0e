"""The statements of the search: hits ranked by relevance, facet counts, completions.

Each is SQL of its database (FTS5 and BM25 on SQLite, tsvector and `ts_rank_cd` on PostgreSQL),
made once per shape (which filters are present) and compiled once by the reader like every
other statement; a request binds only values. Lists of values are one parameter each
(`json_each` on SQLite, `= ANY` on PostgreSQL).

A search in a language reads the entries of that language, and the English entries of the
items that have none in it (`translated` says which languages an item has entries in).
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Boolean, ColumnElement, bindparam, literal_column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.functions import FunctionElement

from api.content.search.analysis import STEMMERS, fts5_match, query_groups
from api.locales import LANGUAGES
from api.read.query import Condition, Filter, Nothing
from api.read.reader import fields_key

# Optional filters: name → (SQLite condition, PostgreSQL condition).
FILTERS = {
    "collections": (
        "e.collection IN (SELECT value FROM json_each(:collections))",
        "e.collection = ANY(CAST(:collections AS TEXT[]))",
    ),
    "types": (
        "e.type IN (SELECT value FROM json_each(:types))",
        "e.type = ANY(CAST(:types AS TEXT[]))",
    ),
    "countries": (
        "e.country_id IN (SELECT value FROM json_each(:countries))",
        "e.country_id = ANY(CAST(:countries AS INTEGER[]))",
    ),
    "cities": (
        "e.city_key IN (SELECT value FROM json_each(:cities))",
        "e.city_key = ANY(CAST(:cities AS TEXT[]))",
    ),
    "date_from": ("e.day >= :date_from", "e.day >= CAST(:date_from AS DATE)"),
    "date_to": ("e.day <= :date_to", "e.day <= CAST(:date_to AS DATE)"),
}
# The entries a page of hits shows, by id.
BY_IDS = ("e.id IN (SELECT value FROM json_each(:ids))", "e.id = ANY(CAST(:ids AS INTEGER[]))")
FACETS = {"collection": "e.collection", "type": "e.type", "country": "e.country_id",
          "year": "e.year"}  # fmt: skip
HIT_COLUMNS = "e.collection, e.slug, e.title, e.body, e.type, e.country_id, e.day, e.lang"
LANGUAGE = "(e.lang = :q_lang OR (e.lang = 'en' AND (e.translated & :q_bit) = 0))"

SQLITE_MATCH = "search_fts MATCH :q_match AND e.id = search_fts.rowid"
SQLITE_FROM = "search_fts, search_entry AS e"
# PostgreSQL: the query in the language's configuration or in English's (entries in another
# language index their English title too) for the entries of the language; in English's for
# the English entries read in their place.
POSTGRES_FROM = (
    "search_entry AS e, (SELECT websearch_to_tsquery(CAST(:q_config AS regconfig), :q_text) "
    "AS own, websearch_to_tsquery('english', :q_text) AS en) AS q"
)
POSTGRES_MATCH = (
    "((e.lang = :q_lang AND e.document @@ (q.own || q.en)) OR "
    "(e.lang = 'en' AND (e.translated & :q_bit) = 0 AND e.document @@ q.en))"
)
# Normalised by the logarithm of the document's length (1), as BM25 is: a short entry that
# matches (a State by its capital) is not outranked by a long one that mentions the word.
POSTGRES_SCORE = (
    "ts_rank_cd(e.document, CASE WHEN e.lang = 'en' THEN q.en ELSE q.own || q.en END, 1)"
)
# The entries of items that the editors' schedule hides now (`publish_at` ahead, `unpublish_at`
# passed): the index holds every published row, and `api.db.published` hides these from the
# lists by the instant the statement runs at. Compiled in only while the schedule hides
# something (the readers' `hides`), as the lists' anti-join is.
SCHEDULE_GUARD = (
    "NOT EXISTS (SELECT 1 FROM editor_item AS s WHERE s.collection = e.collection "
    "AND s.item_id = e.item_id AND (s.publish_at > :now OR s.unpublish_at <= :now))"
)


class _Scheduled(Executable, ClauseElement):
    """A search statement whose `{visible}` is the schedule's guard, or nothing."""

    inherit_cache = False  # the readers compile each statement once themselves

    def __init__(self, template: str) -> None:
        self.template = template


@compiles(_Scheduled)
def _scheduled(element: _Scheduled, compiler: SQLCompiler, **kw: Any) -> str:
    visible = SCHEDULE_GUARD if kw.get("hides") else "1 = 1"
    return str(compiler.process(text(element.template.replace("{visible}", visible)), **kw))


@dataclass(frozen=True)
class SearchStatement:
    """One statement of the search: `part` (candidates, hits, suggest), for one database,
    with the optional filters present (of `FILTERS` for the candidates; "whole" for
    completions on PostgreSQL)."""

    part: str
    dialect: str
    filters: tuple[str, ...] = ()

    key = property(fields_key)

    def build(self) -> ClauseElement:
        sqlite = self.dialect == "sqlite"
        if self.part == "candidates":
            where = [SQLITE_MATCH if sqlite else POSTGRES_MATCH, LANGUAGE, "{visible}"]
            where += [FILTERS[name][0 if sqlite else 1] for name in self.filters]
            source = SQLITE_FROM if sqlite else POSTGRES_FROM
            condition = " AND ".join(where)
            # One pass over the matches: the first `:candidates` of them as the database finds
            # them, each with its score and facet values. The caller ranks them and counts the
            # facets; ranking every match of a common word (most entries of a large index) is
            # what took the time. BM25 is lower for better hits, ts_rank_cd higher: negated.
            score = "bm25(search_fts, 4.0, 1.0)" if sqlite else f"-{POSTGRES_SCORE}"
            columns = ", ".join(f"{column} AS {name}" for name, column in FACETS.items())
            return _Scheduled(
                f"SELECT e.id, {columns}, {score} AS score FROM {source} WHERE {condition} "
                "LIMIT :candidates"
            )
        if self.part == "hits":
            # What the page shows of its ranked entries, by id.
            by_ids = BY_IDS[0 if sqlite else 1]
            return text(f"SELECT e.id, {HIT_COLUMNS} FROM search_entry AS e WHERE {by_ids}")
        if self.part == "suggest":
            # The shortest titles among the first `:candidates` found: a prefix of two letters
            # is in most titles of a large index, and sorting them all took the time. On
            # PostgreSQL, the entries with a title word in the range the last word typed
            # begins (`search_title_word`, migration 0044), in that word order; with "whole"
            # among the filters, each also has every word typed before it.
            if sqlite:  # the title words' own table (migration 0045)
                source = "search_title_fts, search_entry AS e"
                match = "search_title_fts MATCH :q_match AND e.id = search_title_fts.rowid"
            else:
                source = "search_title_word AS w JOIN search_entry AS e ON e.id = w.entry_id"
                match = "w.word >= :low AND w.word < :high"
                if "whole" in self.filters:
                    match += (
                        " AND (SELECT count(*) FROM search_title_word AS o WHERE o.entry_id = "
                        "e.id AND o.word = ANY(CAST(:whole AS TEXT[]))) = cardinality("
                        "CAST(:whole AS TEXT[]))"
                    )
            # A title may hold two words that begin as typed: one row each, grouped.
            return _Scheduled(
                "SELECT collection, slug, title FROM (SELECT e.collection, e.slug, e.title, "
                f"e.item_id FROM {source} WHERE {match} AND {LANGUAGE} AND {{visible}} "
                "LIMIT :candidates) AS found GROUP BY collection, slug, title, item_id "
                "ORDER BY length(title), collection, item_id LIMIT :limit"
            )
        raise ValueError(self.part)


# --- `q` inside a collection -------------------------------------------------------------------


class matches_search(FunctionElement[bool]):  # noqa: N801 - reads as the SQL condition it is
    """`id IN (the ids of the collection's entries that match)`: the search's own match and
    language rule, as a condition of a collection's list query."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True

    def __init__(self, id_column: Any, collection: str) -> None:
        super().__init__(id_column, literal_column(f"'{collection}'"))


def _language(compiler: SQLCompiler, **kw: Any) -> str:
    lang, bit = (compiler.process(bindparam(name), **kw) for name in ("q_lang", "q_bit"))
    return f"(e.lang = {lang} OR (e.lang = 'en' AND (e.translated & {bit}) = 0))"


@compiles(matches_search, "sqlite")
def _matches_sqlite(element: matches_search, compiler: SQLCompiler, **kw: Any) -> str:
    id_column, collection = (compiler.process(c, **kw) for c in element.clauses)
    match = compiler.process(bindparam("q_match"), **kw)
    return (
        f"{id_column} IN (SELECT e.item_id FROM search_fts, search_entry AS e "
        f"WHERE search_fts MATCH {match} AND e.id = search_fts.rowid "
        f"AND e.collection = {collection} AND {_language(compiler, **kw)})"
    )


@compiles(matches_search, "postgresql")
def _matches_postgresql(element: matches_search, compiler: SQLCompiler, **kw: Any) -> str:
    id_column, collection = (compiler.process(c, **kw) for c in element.clauses)
    config, q = (compiler.process(bindparam(n), **kw) for n in ("q_config", "q_text"))
    lang = compiler.process(bindparam("q_lang"), **kw)
    own = f"websearch_to_tsquery(CAST({config} AS regconfig), {q})"
    english = f"websearch_to_tsquery('english', {q})"
    return (
        f"{id_column} IN (SELECT e.item_id FROM search_entry AS e "
        f"WHERE e.collection = {collection} AND {_language(compiler, **kw)} AND "
        f"e.document @@ CASE WHEN e.lang = {lang} AND e.lang <> 'en' "
        f"THEN {own} || {english} ELSE {english} END)"
    )


@dataclass(frozen=True)
class MatchesSearch(Condition):
    """The items of a collection that the search finds for `q` (see `where_search`)."""

    slow: ClassVar[bool] = True
    id_column: Any
    collection: str

    @property
    def binds(self) -> tuple[str, ...]:
        return ("q_match", "q_config", "q_text", "q_lang", "q_bit")

    def sql(self) -> ColumnElement[bool]:
        return matches_search(self.id_column, self.collection)


def search_values(q: str, lang: str) -> dict[str, Any] | None:
    """The values a search for `q` in `lang` binds, for either database; None when nothing is
    left to search for (only stop words, only punctuation)."""
    langs = (lang,) if lang == "en" else (lang, "en")
    match = fts5_match(q, langs)
    if match is None:
        return None
    groups = query_groups(q)
    return {
        "q_match": match,
        "q_text": " ".join(f'"{" ".join(g)}"' if len(g) > 1 else g[0] for g in groups),
        "q_config": STEMMERS[lang],
        "q_lang": lang,
        "q_bit": 1 << LANGUAGES.index(lang),
    }


def where_search(q: str | None, collection: str, id_column: Any, lang: str) -> list[Filter]:
    """`q` of a collection's list: the items the search finds, ranked or not by the list's own
    order (the same engine as `/search`: stems, stop words, phrases, any language)."""
    if q is None or not q.strip():
        return []
    values = search_values(q, lang)
    if values is None:
        return [Filter(Nothing(), {})]
    return [Filter(MatchesSearch(id_column, collection), values)]
