"""Pages made of typed blocks, and the site's settings

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 09:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import create_version_triggers, drop_version_triggers

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_TEXT = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
INSTANT = sa.DateTime(timezone=True)


def _content_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "page",
        *_content_columns(),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sort_title", SORT_TEXT, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("seo_title", sa.String(), nullable=True),
        sa.Column("seo_description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("parent_slug", sa.String(length=120), nullable=True),
        sa.Column("parent_title", sa.String(), nullable=True),
        sa.Column("published_at", INSTANT, nullable=False),
        sa.Column("revised_at", INSTANT, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["page.id"], name=op.f("fk_page_parent_id_page")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_page_slug")),
    )
    op.create_index("ix_page_sort_title_id", "page", ["publication_status", "sort_title", "id"])
    op.create_index(
        "ix_page_parent_slug_sort_title_id",
        "page",
        ["publication_status", "parent_slug", "sort_title", "id"],
    )
    op.create_table(
        "site",
        *_content_columns(),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("short_name", sa.String(), nullable=False),
        sa.Column("logo_slug", sa.String(length=120), nullable=True),
        sa.Column("home_page_slug", sa.String(length=120), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("social", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("slug", name=op.f("uq_site_slug")),
    )
    create_version_triggers("page", "site")


def downgrade() -> None:
    drop_version_triggers("page", "site")
    op.drop_table("site")
    op.drop_index("ix_page_parent_slug_sort_title_id", table_name="page")
    op.drop_index("ix_page_sort_title_id", table_name="page")
    op.drop_table("page")
