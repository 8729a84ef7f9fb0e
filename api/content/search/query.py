"""The statements of the search: hits ranked by relevance, facet counts, completions.

Each is SQL of its database (FTS5 and BM25 on SQLite, tsvector and `ts_rank_cd` on PostgreSQL),
made once per shape (which filters are present) and compiled once by the reader like every
other statement; a request binds only values. Lists of values are one parameter each
(`json_each` on SQLite, `= ANY` on PostgreSQL).

A search in a language reads the entries of that language, and the English entries of the
items that have none in it (`translated` says which languages an item has entries in).
"""

from dataclasses import dataclass

from sqlalchemy import TextClause, text

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
FACETS = {"collection": "e.collection", "type": "e.type", "country": "e.country_id",
          "year": "e.year"}  # fmt: skip
HIT_COLUMNS = "e.collection, e.slug, e.title, e.body, e.type, e.country_id, e.day, e.lang"
LANGUAGE = "(e.lang = :lang OR (e.lang = 'en' AND (e.translated & :bit) = 0))"

SQLITE_MATCH = "search_fts MATCH :match AND e.id = search_fts.rowid"
SQLITE_FROM = "search_fts, search_entry AS e"
# PostgreSQL: the query in the language's configuration or in English's (entries in another
# language index their English title too) for the entries of the language; in English's for
# the English entries read in their place.
POSTGRES_FROM = (
    "search_entry AS e, (SELECT websearch_to_tsquery(CAST(:config AS regconfig), :q) AS own, "
    "websearch_to_tsquery('english', :q) AS en) AS q"
)
POSTGRES_MATCH = (
    "((e.lang = :lang AND e.document @@ (q.own || q.en)) OR "
    "(e.lang = 'en' AND (e.translated & :bit) = 0 AND e.document @@ q.en))"
)
# Normalised by the logarithm of the document's length (1), as BM25 is: a short entry that
# matches (a State by its capital) is not outranked by a long one that mentions the word.
POSTGRES_SCORE = (
    "ts_rank_cd(e.document, CASE WHEN e.lang = 'en' THEN q.en ELSE q.own || q.en END, 1)"
)


@dataclass(frozen=True)
class SearchStatement:
    """One statement of the search: `part` (hits, facets, suggest), for one database, with
    the optional filters present."""

    part: str
    dialect: str
    filters: tuple[str, ...] = ()

    def build(self) -> TextClause:
        sqlite = self.dialect == "sqlite"
        where = [SQLITE_MATCH if sqlite else POSTGRES_MATCH, LANGUAGE]
        where += [FILTERS[name][0 if sqlite else 1] for name in self.filters]
        source = SQLITE_FROM if sqlite else POSTGRES_FROM
        condition = " AND ".join(where)
        if self.part == "hits":
            # BM25 is lower for better hits; ts_rank_cd higher. The title weighs most.
            score = "bm25(search_fts, 4.0, 1.0, 0.0)" if sqlite else f"-{POSTGRES_SCORE}"
            return text(
                f"SELECT {HIT_COLUMNS}, {score} AS score FROM {source} WHERE {condition} "
                "ORDER BY score, e.id LIMIT :limit OFFSET :offset"
            )
        if self.part == "facets":
            selects = [
                f"SELECT '{name}' AS facet, CAST({column} AS TEXT) AS value, count(*) AS n "
                f"FROM {source} WHERE {condition} GROUP BY {column}"
                for name, column in FACETS.items()
            ]
            return text(" UNION ALL ".join(selects))
        if self.part == "suggest":
            if sqlite:
                return text(
                    "SELECT e.collection, e.slug, e.title FROM search_fts, search_entry AS e "
                    f"WHERE search_fts MATCH :match AND e.id = search_fts.rowid AND {LANGUAGE} "
                    "ORDER BY length(e.title), e.collection, e.item_id "
                    "LIMIT :limit"
                )
            return text(
                "SELECT e.collection, e.slug, e.title FROM search_entry AS e "
                "WHERE to_tsvector('simple', e.title_key) @@ to_tsquery('simple', :prefix) "
                f"AND {LANGUAGE} ORDER BY length(e.title), e.collection, e.item_id LIMIT :limit"
            )
        raise ValueError(self.part)
