"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 15:57:58.762791+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "country",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "sort_name",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("iso_alpha2", sa.String(length=2), nullable=False),
        sa.Column("iso_alpha3", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("partner_group", sa.String(length=16), nullable=True),
        sa.Column("capital", sa.String(), nullable=False),
        sa.Column("capital_slug", sa.String(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("iso_alpha2"),
        sa.UniqueConstraint("iso_alpha3"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_country_capital_slug"), ["capital_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_joined_on"), ["joined_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_latitude"), ["latitude"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_country_partner_group"), ["partner_group"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_country_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_country_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_country_sort_name"), ["sort_name"], unique=False)

    op.create_table(
        "menu",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("menu", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_menu_publication_status"), ["publication_status"], unique=False
        )

    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "sort_name",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("position"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topic_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_topic_sort_name"), ["sort_name"], unique=False)

    op.create_table(
        "chairpersonship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )
    with op.batch_alter_table("chairpersonship", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chairpersonship_country_id"), ["country_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chairpersonship_publication_status"),
            ["publication_status"],
            unique=False,
        )

    op.create_table(
        "field_operation",
        sa.Column("venue", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_slug", sa.String(), nullable=True),
        sa.Column("territory", sa.String(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column(
            "sort_name",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("host_state_id", sa.Integer(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("mandate", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.ForeignKeyConstraint(
            ["host_state_id"],
            ["country.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("field_operation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_operation_city_slug"), ["city_slug"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_closed_on"), ["closed_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_country_id"), ["country_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_established_on"), ["established_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_field_operation_host_state_id"), ["host_state_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_field_operation_latitude"), ["latitude"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_field_operation_publication_status"),
            ["publication_status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_field_operation_region"), ["region"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_field_operation_sort_name"), ["sort_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_field_operation_type"), ["type"], unique=False)

    op.create_table(
        "event",
        sa.Column("venue", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_slug", sa.String(), nullable=True),
        sa.Column("territory", sa.String(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("organiser", sa.String(), nullable=False),
        sa.Column("field_operation_id", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.ForeignKeyConstraint(
            ["field_operation_id"],
            ["field_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_city_slug"), ["city_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_field_operation_id"), ["field_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_latitude"), ["latitude"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_starts_on"), ["starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_type"), ["type"], unique=False)

    op.create_table(
        "field_operation_topic",
        sa.Column("field_operation_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["field_operation_id"], ["field_operation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("field_operation_id", "topic_id"),
    )
    with op.batch_alter_table("field_operation_topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_operation_topic_topic_id"), ["topic_id"], unique=False
        )

    op.create_table(
        "menu_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("menu_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("field_operation_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN country_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN field_operation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN topic_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_resource",
        ),
        sa.CheckConstraint("(path IS NULL) <> (url IS NULL)", name="path_or_url"),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.ForeignKeyConstraint(
            ["field_operation_id"],
            ["field_operation.id"],
        ),
        sa.ForeignKeyConstraint(["menu_id"], ["menu.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["menu_node.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("menu_id", "key"),
    )
    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_menu_node_country_id"), ["country_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_menu_node_field_operation_id"), ["field_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_menu_node_menu_id"), ["menu_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_menu_node_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_menu_node_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_menu_node_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "news",
        sa.Column("venue", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_slug", sa.String(), nullable=True),
        sa.Column("territory", sa.String(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("field_operation_id", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.ForeignKeyConstraint(
            ["field_operation_id"],
            ["field_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_city_slug"), ["city_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_country_id"), ["country_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_news_field_operation_id"), ["field_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_news_latitude"), ["latitude"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_news_publication_status"), ["publication_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_news_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_type"), ["type"], unique=False)

    op.create_table(
        "event_topic",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("event_id", "topic_id"),
    )
    with op.batch_alter_table("event_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_topic_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "news_country",
        sa.Column("news_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["country.id"],
        ),
        sa.ForeignKeyConstraint(["news_id"], ["news.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("news_id", "country_id"),
    )
    with op.batch_alter_table("news_country", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_country_country_id"), ["country_id"], unique=False
        )

    op.create_table(
        "news_topic",
        sa.Column("news_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["news_id"], ["news.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
        ),
        sa.PrimaryKeyConstraint("news_id", "topic_id"),
    )
    with op.batch_alter_table("news_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_topic_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("news_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_topic_topic_id"))

    op.drop_table("news_topic")
    with op.batch_alter_table("news_country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_country_country_id"))

    op.drop_table("news_country")
    with op.batch_alter_table("event_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_topic_topic_id"))

    op.drop_table("event_topic")
    with op.batch_alter_table("news", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_type"))
        batch_op.drop_index(batch_op.f("ix_news_region"))
        batch_op.drop_index(batch_op.f("ix_news_published_at"))
        batch_op.drop_index(batch_op.f("ix_news_publication_status"))
        batch_op.drop_index(batch_op.f("ix_news_latitude"))
        batch_op.drop_index(batch_op.f("ix_news_field_operation_id"))
        batch_op.drop_index(batch_op.f("ix_news_country_id"))
        batch_op.drop_index(batch_op.f("ix_news_city_slug"))

    op.drop_table("news")
    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_node_topic_id"))
        batch_op.drop_index(batch_op.f("ix_menu_node_publication_status"))
        batch_op.drop_index(batch_op.f("ix_menu_node_parent_id"))
        batch_op.drop_index(batch_op.f("ix_menu_node_menu_id"))
        batch_op.drop_index(batch_op.f("ix_menu_node_field_operation_id"))
        batch_op.drop_index(batch_op.f("ix_menu_node_country_id"))

    op.drop_table("menu_node")
    with op.batch_alter_table("field_operation_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_operation_topic_topic_id"))

    op.drop_table("field_operation_topic")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_type"))
        batch_op.drop_index(batch_op.f("ix_event_starts_on"))
        batch_op.drop_index(batch_op.f("ix_event_region"))
        batch_op.drop_index(batch_op.f("ix_event_publication_status"))
        batch_op.drop_index(batch_op.f("ix_event_latitude"))
        batch_op.drop_index(batch_op.f("ix_event_field_operation_id"))
        batch_op.drop_index(batch_op.f("ix_event_ends_on"))
        batch_op.drop_index(batch_op.f("ix_event_country_id"))
        batch_op.drop_index(batch_op.f("ix_event_city_slug"))

    op.drop_table("event")
    with op.batch_alter_table("field_operation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_operation_type"))
        batch_op.drop_index(batch_op.f("ix_field_operation_sort_name"))
        batch_op.drop_index(batch_op.f("ix_field_operation_region"))
        batch_op.drop_index(batch_op.f("ix_field_operation_publication_status"))
        batch_op.drop_index(batch_op.f("ix_field_operation_latitude"))
        batch_op.drop_index(batch_op.f("ix_field_operation_host_state_id"))
        batch_op.drop_index(batch_op.f("ix_field_operation_established_on"))
        batch_op.drop_index(batch_op.f("ix_field_operation_country_id"))
        batch_op.drop_index(batch_op.f("ix_field_operation_closed_on"))
        batch_op.drop_index(batch_op.f("ix_field_operation_city_slug"))

    op.drop_table("field_operation")
    with op.batch_alter_table("chairpersonship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chairpersonship_publication_status"))
        batch_op.drop_index(batch_op.f("ix_chairpersonship_country_id"))

    op.drop_table("chairpersonship")
    with op.batch_alter_table("topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_sort_name"))
        batch_op.drop_index(batch_op.f("ix_topic_publication_status"))

    op.drop_table("topic")
    with op.batch_alter_table("menu", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_publication_status"))

    op.drop_table("menu")
    with op.batch_alter_table("country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_sort_name"))
        batch_op.drop_index(batch_op.f("ix_country_region"))
        batch_op.drop_index(batch_op.f("ix_country_publication_status"))
        batch_op.drop_index(batch_op.f("ix_country_partner_group"))
        batch_op.drop_index(batch_op.f("ix_country_latitude"))
        batch_op.drop_index(batch_op.f("ix_country_kind"))
        batch_op.drop_index(batch_op.f("ix_country_joined_on"))
        batch_op.drop_index(batch_op.f("ix_country_capital_slug"))

    op.drop_table("country")
