"""Structures and institutions, and menu nodes that lead to them

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_TEXT = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
RESOURCES = ("country_id", "field_operation_id", "topic_id", "institution_id")


def _one_resource(columns: Sequence[str]) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " <= 1"


def upgrade() -> None:
    op.create_table(
        "institution",
        sa.Column("venue", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_slug", sa.String(), nullable=True),
        sa.Column("territory", sa.String(), nullable=True),
        sa.Column("territory_slug", sa.String(), nullable=True),
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
        sa.Column("sort_name", SORT_TEXT, nullable=False),
        sa.Column("acronym", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("part_of_id", sa.Integer(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("topic_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["country_id"], ["country.id"]),
        sa.ForeignKeyConstraint(["part_of_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_institution_latitude"), ["latitude"], unique=False)
        batch_op.create_index(
            "ix_institution_position_id", ["publication_status", "position", "id"], unique=False
        )
        batch_op.create_index(
            "ix_institution_sort_name_id", ["publication_status", "sort_name", "id"], unique=False
        )
    op.create_table(
        "institution_topic",
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"]),
        sa.PrimaryKeyConstraint("institution_id", "topic_id"),
    )
    with op.batch_alter_table("institution_topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_institution_topic_topic_id"), ["topic_id"], unique=False
        )

    # A menu node may lead to an institution: one more resource column, still at most one.
    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_menu_node_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_menu_node_institution_id_institution", "institution", ["institution_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_menu_node_one_resource"), type_="check")
        batch_op.create_check_constraint("one_resource", _one_resource(RESOURCES))

    # On SQLite the batch rebuilt menu_node without its triggers.
    if op.get_bind().dialect.name == "sqlite":
        drop_version_triggers("menu_node")
        create_version_triggers("menu_node")
    create_version_triggers("institution", "institution_topic")


def downgrade() -> None:
    drop_version_triggers("institution", "institution_topic")
    with op.batch_alter_table("menu_node", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_menu_node_one_resource"), type_="check")
        batch_op.create_check_constraint("one_resource", _one_resource(RESOURCES[:-1]))
        batch_op.drop_constraint("fk_menu_node_institution_id_institution", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_menu_node_institution_id"))
        batch_op.drop_column("institution_id")
    if op.get_bind().dialect.name == "sqlite":
        drop_version_triggers("menu_node")
        create_version_triggers("menu_node")
    with op.batch_alter_table("institution_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institution_topic_topic_id"))
    op.drop_table("institution_topic")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_index("ix_institution_sort_name_id")
        batch_op.drop_index("ix_institution_position_id")
        batch_op.drop_index(batch_op.f("ix_institution_latitude"))
    op.drop_table("institution")
