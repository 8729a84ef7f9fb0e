"""Alembic owns the schema: migrations build it from nothing, match the models, and reverse."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from api.content.search.models import DIALECT_ONLY
from api.db import metadata
from api.health import migration_head
from api.text import collation_key
from tests.conftest import TestDatabase, migrate


def _modelled(name: str | None, *_: object) -> bool:
    """Not the search index's objects of one database only (see api/content/search/models.py)."""
    return not (name or "").startswith(DIALECT_ONLY)


def _drift(database: TestDatabase) -> list[object]:
    with database.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": _modelled}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, metadata))


def _tables(database: TestDatabase) -> set[str]:
    names = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if _modelled(name)}


def test_upgrade_on_an_empty_database_creates_every_table(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    assert _tables(empty_database) == set(metadata.tables)


def test_models_and_migrations_do_not_drift(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    assert _drift(empty_database) == []


def test_downgrade_to_base_and_upgrade_again(empty_database: TestDatabase) -> None:
    migrate(empty_database.engine)
    migrate(empty_database.engine, "base", down=True)
    assert _tables(empty_database) == set()
    migrate(empty_database.engine)
    assert _tables(empty_database) == set(metadata.tables)
    assert _drift(empty_database) == []


def test_there_is_a_single_head() -> None:
    assert migration_head() is not None


def _insert_austria(connection: Connection) -> None:
    """Austria as its row was written before 0004 (and still is, but for later columns)."""
    _insert_country(connection, 1, "participating-state", "Austria", ("AT", "AUT"))


def _insert_country(
    connection: Connection, id_: int, kind: str, name: str, codes: tuple[str, str]
) -> None:
    connection.execute(
        text(
            "INSERT INTO country (id, slug, kind, name, sort_name, iso_alpha2, iso_alpha3,"
            " region, capital, capital_slug, latitude, longitude, joined_on, search_text,"
            " publication_status, created_at, updated_at) VALUES (:id, :slug, :kind, :name,"
            " :sort_name, :code, :code3, 'western-europe', 'Vienna', 'vienna', 48.2, 16.37,"
            " '1973-06-25', :search_text, 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        # One parameter each: PostgreSQL refuses one bound to columns of different types.
        {"id": id_, "slug": name.lower(), "kind": kind, "name": name, "code": codes[0],
         "code3": codes[1], "sort_name": name.lower(), "search_text": f" {name.lower()} "},
    )  # fmt: skip


def test_upgrading_a_database_with_content_keeps_and_copies_it(
    empty_database: TestDatabase,
) -> None:
    """0002 copies each news item's status and date into its link rows."""
    migrate(empty_database.engine, "0001")
    with empty_database.engine.begin() as connection:
        _insert_austria(connection)
        connection.execute(
            text(
                "INSERT INTO news (id, slug, title, type, published_at, summary, body,"
                " search_text, publication_status, created_at, updated_at) VALUES (1, 'item',"
                " 'Item', 'story', '2025-12-31 12:00:00', 's', 'b', ' item ', 'draft',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(text("INSERT INTO news_country (news_id, country_id) VALUES (1, 1)"))
    migrate(empty_database.engine, "0003")
    with empty_database.engine.connect() as connection:
        status, published_at = connection.execute(
            text("SELECT publication_status, published_at FROM news_country")
        ).one()
        version = connection.execute(text("SELECT version FROM content_version")).scalar_one()
    assert status == "draft"
    assert str(published_at).startswith("2025-12-31 12:00:00")
    assert version == 0


def test_0004_computes_the_new_keys_of_the_rows_already_there(
    empty_database: TestDatabase,
) -> None:
    """Territory keys, city keys up to a comma, and search text whose apostrophes join."""
    migrate(empty_database.engine, "0003")
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO news (id, slug, title, type, published_at, summary, body, city,"
                " city_slug, territory, search_text, publication_status, created_at,"
                " updated_at) VALUES (1, 'item', 'Iceland’s training', 'story',"
                " '2025-12-31 12:00:00', 'Don''t', 'b', 'Washington, D.C.', 'washington-d-c',"
                " 'Kosovo', ' iceland s training don t b ', 'published', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"
            )
        )
    migrate(empty_database.engine, "0004")
    with empty_database.engine.connect() as connection:
        row = connection.execute(
            text("SELECT search_text, city_slug, territory_slug FROM news")
        ).one()
        version = connection.execute(text("SELECT version FROM content_version")).scalar_one()
    assert tuple(row) == (" icelands training dont b ", "washington", "kosovo")
    assert version > 0  # the rows changed: caches keyed by the version must see it


def test_0042_writes_the_name_keys_of_the_countries_already_there(
    empty_database: TestDatabase,
) -> None:
    """Without them a list in another language than English left the country out."""
    migrate(empty_database.engine, "0041")
    with empty_database.engine.begin() as connection:
        _insert_austria(connection)
        connection.execute(
            text(
                "INSERT INTO translation (kind, item_id, lang, field, text)"
                " VALUES ('country', 1, 'ru', 'name', 'Австрия')"
            )
        )
        # A key an editor's write already made stays as it is.
        connection.execute(
            text(
                "INSERT INTO name_key (kind, item_id, lang, key)"
                " VALUES ('country', 1, 'de', 'kept')"
            )
        )
    migrate(empty_database.engine, "0042")
    with empty_database.engine.connect() as connection:
        keys = dict(
            connection.execute(text("SELECT lang, key FROM name_key WHERE item_id = 1")).all()
        )
    assert keys == {
        "en": collation_key("Austria", "en"),
        "fr": collation_key("Austria", "fr"),
        "de": "kept",
        "it": collation_key("Austria", "it"),
        "ru": collation_key("Австрия", "ru"),
        "es": collation_key("Austria", "es"),
    }
    assert keys["ru"] != keys["en"]


def test_0043_puts_each_country_s_keys_in_its_own_list(empty_database: TestDatabase) -> None:
    """States and partners share the kind 'country': a list of partners by name in another
    language reads the partners' keys alone."""
    migrate(empty_database.engine, "0042")
    with empty_database.engine.begin() as connection:
        _insert_austria(connection)
        _insert_country(connection, 2, "partner", "Japan", ("JP", "JPN"))
        connection.execute(
            text(
                "INSERT INTO name_key (kind, item_id, lang, key) VALUES ('country', 1, 'ru', 'a'),"
                " ('country', 2, 'ru', 'b'), ('topic', 1, 'ru', 'c')"
            )
        )
    migrate(empty_database.engine, "0043")  # 0047 then removes the keys of topic 1, not there
    with empty_database.engine.connect() as connection:
        parts = connection.execute(
            text("SELECT kind, item_id, part FROM name_key ORDER BY kind, item_id")
        ).all()
    assert [tuple(row) for row in parts] == [
        ("country", 1, "participating-state"), ("country", 2, "partner"), ("topic", 1, ""),
    ]  # fmt: skip


def test_0044_keeps_the_title_words_of_postgresql_s_entries(
    empty_database: TestDatabase,
) -> None:
    """PostgreSQL's completions read `search_title_word`: its triggers follow every insert,
    retitling and deletion of an entry, and the upgrade fills it from the entries there."""
    migrate(empty_database.engine, "0043")
    if empty_database.backend == "sqlite":  # it completes from its FTS5 table
        migrate(empty_database.engine)
        assert "search_title_word" not in inspect(empty_database.engine).get_table_names()
        return
    entry = (
        "INSERT INTO search_entry (id, collection, item_id, lang, translated, slug, title,"
        " title_key, body) VALUES (:id, 'news', :id, 'en', 0, :slug, :title, :title, '')"
    )
    words = text("SELECT entry_id, word FROM search_title_word ORDER BY entry_id, word")
    with empty_database.engine.begin() as connection:
        connection.execute(text(entry), {"id": 1, "slug": "one", "title": "mission to serbia"})
    migrate(empty_database.engine)
    with empty_database.engine.begin() as connection:
        assert connection.execute(words).all() == [(1, "mission"), (1, "serbia"), (1, "to")]
        connection.execute(
            text(entry),
            [{"id": 2, "slug": "two", "title": "vienna vienna"},
             {"id": 3, "slug": "three", "title": "co-operation"}],
        )  # fmt: skip
        connection.execute(text("UPDATE search_entry SET title_key = 'skopje' WHERE id = 1"))
        connection.execute(text("UPDATE search_entry SET translated = 2 WHERE id = 2"))
        assert connection.execute(words).all() == [
            (1, "skopje"), (2, "vienna"), (3, "co"), (3, "co-operation"), (3, "operation"),
        ]  # fmt: skip
        connection.execute(text("DELETE FROM search_entry WHERE id IN (1, 3)"))
        assert connection.execute(words).all() == [(2, "vienna")]
        connection.execute(text("TRUNCATE search_entry"))
        assert connection.execute(words).all() == []


def test_0045_moves_sqlite_s_title_words_to_their_own_table(
    empty_database: TestDatabase,
) -> None:
    """The stems stay in `search_fts`, the title words go to `search_title_fts`, by entry."""
    migrate(empty_database.engine, "0044")
    if empty_database.backend == "postgresql":  # it completes from `search_title_word`
        migrate(empty_database.engine)
        assert "search_title_fts" not in inspect(empty_database.engine).get_table_names()
        return
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO search_fts (rowid, title, body, words) VALUES"
                " (7, 'mission serbia', 'elect observ', 'mission to serbia'),"
                " (8, 'vienna', 'secur', 'vienna')"
            )
        )
    migrate(empty_database.engine)
    with empty_database.engine.connect() as connection:

        def found(table: str, match: str) -> list[int]:
            rows = connection.execute(
                text(f"SELECT rowid FROM {table} WHERE {table} MATCH :m ORDER BY rowid"),
                {"m": match},
            )
            return [row[0] for row in rows]

        assert found("search_fts", "observ") == [7]
        assert found("search_fts", "serbia OR vienna") == [7, 8]
        assert found("search_title_fts", '"to" AND "se" *') == [7]
        assert found("search_title_fts", '"vi" *') == [8]
        columns = connection.execute(text("SELECT * FROM search_fts")).keys()
        assert list(columns) == ["title", "body"]


def test_0047_removes_the_texts_of_deleted_rows(empty_database: TestDatabase) -> None:
    """Translations and name keys whose row is gone go; those of rows that exist stay."""
    migrate(empty_database.engine, "0046")
    with empty_database.engine.begin() as connection:
        _insert_austria(connection)
        connection.execute(
            text(
                "INSERT INTO translation (kind, item_id, lang, field, text) VALUES"
                " ('country', 1, 'fr', 'name', 'Autriche'), ('country', 2, 'fr', 'name', 'Japon'),"
                " ('page', 1, 'fr', 'title', 'Accueil')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO name_key (kind, item_id, lang, key, part) VALUES"
                " ('country', 1, 'fr', 'a', 'participating-state'),"
                " ('country', 2, 'fr', 'b', 'partner')"
            )
        )
    migrate(empty_database.engine)
    with empty_database.engine.connect() as connection:
        kept = connection.execute(text("SELECT kind, item_id, text FROM translation")).all()
        keys = connection.execute(text("SELECT kind, item_id FROM name_key")).all()
    assert [tuple(row) for row in kept] == [("country", 1, "Autriche")]
    assert [tuple(row) for row in keys] == [("country", 1)]
