"""Indexes on news and event updated_at, for the proxy purger (api/purge.py)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The purger asks which items changed since the last content version: an index range,
    # not a scan of a million rows on every write.
    op.create_index("ix_news_updated_at", "news", ["updated_at"])
    op.create_index("ix_event_updated_at", "event", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_event_updated_at", table_name="event")
    op.drop_index("ix_news_updated_at", table_name="news")
