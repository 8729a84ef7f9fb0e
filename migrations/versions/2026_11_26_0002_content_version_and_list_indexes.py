"""Content version with its triggers, and composite indexes for every list

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:09:59.723779+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    create_bump_function,
    create_version_triggers,
    drop_bump_function,
    drop_version_triggers,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Every table whose rows the API serves; a write to any of them bumps content_version.
CONTENT_TABLES = (
    "topic",
    "country",
    "chairpersonship",
    "field_operation",
    "field_operation_topic",
    "news",
    "news_country",
    "news_topic",
    "event",
    "event_topic",
    "menu",
    "menu_node",
)


def _create_version_triggers() -> None:
    create_bump_function()
    create_version_triggers(*CONTENT_TABLES)


def _drop_version_triggers() -> None:
    drop_version_triggers(*CONTENT_TABLES)
    drop_bump_function()


def _copy_from_news(link_table: str) -> None:
    """Fill the columns a news link table copies from its news item."""
    with op.batch_alter_table(link_table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("publication_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    for column in ("publication_status", "published_at"):
        op.execute(
            f"UPDATE {link_table} SET {column} ="
            f" (SELECT {column} FROM news WHERE news.id = {link_table}.news_id)"
        )
    with op.batch_alter_table(link_table, schema=None) as batch_op:
        batch_op.alter_column(
            "publication_status", existing_type=sa.String(length=16), nullable=False
        )
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


# Each item row carries a copy of its link table ids ("5,12"): (table, column, link, key).
ID_COPIES = (
    ("news", "country_ids", "news_country", "news_id", "country_id"),
    ("news", "topic_ids", "news_topic", "news_id", "topic_id"),
    ("event", "topic_ids", "event_topic", "event_id", "topic_id"),
    ("field_operation", "topic_ids", "field_operation_topic", "field_operation_id", "topic_id"),
)


def _copy_link_ids() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, column, link, owner, other in ID_COPIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
        # In ascending order, as the seed loader writes them.
        linked = f"SELECT {other} FROM {link} WHERE {link}.{owner} = {table}.id ORDER BY {other}"
        ids = (
            f"SELECT string_agg(CAST({other} AS TEXT), ',') FROM ({linked}) AS l"
            if postgresql
            else f"SELECT group_concat({other}) FROM ({linked})"
        )
        op.execute(f"UPDATE {table} SET {column} = coalesce(({ids}), '')")


def _drop_link_ids() -> None:
    for table, column, *_ in ID_COPIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)


def upgrade() -> None:
    op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO content_version (id, version, changed_at) VALUES (1, 0, CURRENT_TIMESTAMP)"
    )
    with op.batch_alter_table("chairpersonship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chairpersonship_publication_status"))

    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_joined_on"))
        batch_op.drop_index(batch_op.f("ix_country_kind"))
        batch_op.drop_index(batch_op.f("ix_country_publication_status"))
        batch_op.drop_index(batch_op.f("ix_country_sort_name"))
        batch_op.create_index(
            "ix_country_kind_joined_on_id", ["kind", "joined_on", "id"], unique=False
        )
        batch_op.create_index(
            "ix_country_kind_sort_name_id", ["kind", "sort_name", "id"], unique=False
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_city_slug"))
        batch_op.drop_index(batch_op.f("ix_event_country_id"))
        batch_op.drop_index(batch_op.f("ix_event_ends_on"))
        batch_op.drop_index(batch_op.f("ix_event_field_operation_id"))
        batch_op.drop_index(batch_op.f("ix_event_publication_status"))
        batch_op.drop_index(batch_op.f("ix_event_region"))
        batch_op.drop_index(batch_op.f("ix_event_starts_on"))
        batch_op.drop_index(batch_op.f("ix_event_type"))
        batch_op.create_index(
            "ix_event_city_slug_starts_on_id",
            ["publication_status", "city_slug", "starts_on", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_country_id_starts_on_id",
            ["publication_status", "country_id", "starts_on", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_ends_on_id", ["publication_status", "ends_on", "id"], unique=False
        )
        batch_op.create_index(
            "ix_event_field_operation_id_starts_on_id",
            ["publication_status", "field_operation_id", "starts_on", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_region_starts_on_id",
            ["publication_status", "region", "starts_on", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_starts_on_id_ends_on",
            ["publication_status", "starts_on", "id", "ends_on"],
            unique=False,
        )
        batch_op.create_index(
            "ix_event_type_starts_on_id",
            ["publication_status", "type", "starts_on", "id"],
            unique=False,
        )

    with op.batch_alter_table("field_operation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_operation_city_slug"))
        batch_op.drop_index(batch_op.f("ix_field_operation_country_id"))
        batch_op.drop_index(batch_op.f("ix_field_operation_established_on"))
        batch_op.drop_index(batch_op.f("ix_field_operation_host_state_id"))
        batch_op.drop_index(batch_op.f("ix_field_operation_publication_status"))
        batch_op.drop_index(batch_op.f("ix_field_operation_region"))
        batch_op.drop_index(batch_op.f("ix_field_operation_sort_name"))
        batch_op.create_index(
            "ix_field_operation_established_on_id", ["established_on", "id"], unique=False
        )
        batch_op.create_index("ix_field_operation_sort_name_id", ["sort_name", "id"], unique=False)

    with op.batch_alter_table("menu", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_publication_status"))

    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_node_publication_status"))

    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_city_slug"))
        batch_op.drop_index(batch_op.f("ix_news_country_id"))
        batch_op.drop_index(batch_op.f("ix_news_field_operation_id"))
        batch_op.drop_index(batch_op.f("ix_news_publication_status"))
        batch_op.drop_index(batch_op.f("ix_news_published_at"))
        batch_op.drop_index(batch_op.f("ix_news_region"))
        batch_op.drop_index(batch_op.f("ix_news_type"))
        batch_op.create_index(
            "ix_news_city_slug_published_at_id",
            ["publication_status", "city_slug", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_news_field_operation_id_published_at_id",
            ["publication_status", "field_operation_id", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_news_published_at_id", ["publication_status", "published_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_news_region_published_at_id",
            ["publication_status", "region", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_news_type_published_at_id",
            ["publication_status", "type", "published_at", "id"],
            unique=False,
        )

    _copy_from_news("news_country")
    with op.batch_alter_table("news_country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_country_country_id"))
        batch_op.create_index(
            "ix_news_country_country_id_published_at_news_id",
            ["publication_status", "country_id", "published_at", "news_id"],
            unique=False,
        )

    _copy_from_news("news_topic")
    with op.batch_alter_table("news_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_topic_topic_id"))
        batch_op.create_index(
            "ix_news_topic_topic_id_published_at_news_id",
            ["publication_status", "topic_id", "published_at", "news_id"],
            unique=False,
        )

    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_publication_status"))
        batch_op.drop_index(batch_op.f("ix_topic_sort_name"))
        batch_op.create_index("ix_topic_sort_name_id", ["sort_name", "id"], unique=False)

    _copy_link_ids()
    # Last: on SQLite, batch operations rebuild tables and lose their triggers.
    _create_version_triggers()


def downgrade() -> None:
    _drop_version_triggers()
    _drop_link_ids()
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_index("ix_topic_sort_name_id")
        batch_op.create_index(batch_op.f("ix_topic_sort_name"), ["sort_name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_topic_publication_status"), ["publication_status"], unique=False
        )

    with op.batch_alter_table("news_topic", schema=None) as batch_op:
        batch_op.drop_index("ix_news_topic_topic_id_published_at_news_id")
        batch_op.create_index(batch_op.f("ix_news_topic_topic_id"), ["topic_id"], unique=False)
        batch_op.drop_column("published_at")
        batch_op.drop_column("publication_status")

    with op.batch_alter_table("news_country", schema=None) as batch_op:
        batch_op.drop_index("ix_news_country_country_id_published_at_news_id")
        batch_op.create_index(
            batch_op.f("ix_news_country_country_id"), ["country_id"], unique=False
        )
        batch_op.drop_column("published_at")
        batch_op.drop_column("publication_status")

    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_index("ix_news_type_published_at_id")
        batch_op.drop_index("ix_news_region_published_at_id")
        batch_op.drop_index("ix_news_published_at_id")
        batch_op.drop_index("ix_news_field_operation_id_published_at_id")
        batch_op.drop_index("ix_news_city_slug_published_at_id")
        batch_op.create_index(batch_op.f("ix_news_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_published_at"), ["published_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_news_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_news_field_operation_id"), ["field_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_news_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_city_slug"), ["city_slug"], unique=False)

    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_menu_node_publication_status"), ["publication_status"], unique=False
        )

    with op.batch_alter_table("menu", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_menu_publication_status"), ["publication_status"], unique=False
        )

    with op.batch_alter_table("field_operation", schema=None) as batch_op:
        batch_op.drop_index("ix_field_operation_sort_name_id")
        batch_op.drop_index("ix_field_operation_established_on_id")
        batch_op.create_index(
            batch_op.f("ix_field_operation_sort_name"), ["sort_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_field_operation_region"), ["region"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_field_operation_publication_status"),
            ["publication_status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_host_state_id"), ["host_state_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_established_on"), ["established_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_country_id"), ["country_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_city_slug"), ["city_slug"], unique=False
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_type_starts_on_id")
        batch_op.drop_index("ix_event_starts_on_id_ends_on")
        batch_op.drop_index("ix_event_region_starts_on_id")
        batch_op.drop_index("ix_event_field_operation_id_starts_on_id")
        batch_op.drop_index("ix_event_ends_on_id")
        batch_op.drop_index("ix_event_country_id_starts_on_id")
        batch_op.drop_index("ix_event_city_slug_starts_on_id")
        batch_op.create_index(batch_op.f("ix_event_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_starts_on"), ["starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_region"), ["region"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_field_operation_id"), ["field_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_city_slug"), ["city_slug"], unique=False)

    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.drop_index("ix_country_kind_sort_name_id")
        batch_op.drop_index("ix_country_kind_joined_on_id")
        batch_op.create_index(batch_op.f("ix_country_sort_name"), ["sort_name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_country_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_country_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_joined_on"), ["joined_on"], unique=False)

    with op.batch_alter_table("chairpersonship", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chairpersonship_publication_status"),
            ["publication_status"],
            unique=False,
        )

    op.drop_table("content_version")
