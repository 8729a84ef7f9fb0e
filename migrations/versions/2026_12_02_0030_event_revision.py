"""Event revision: how many times the services changed an event (the calendar's SEQUENCE)

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-02 09:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: SQLite keeps the table and its triggers.
    op.add_column("event", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table's triggers.
    op.drop_column("event", "revision")
