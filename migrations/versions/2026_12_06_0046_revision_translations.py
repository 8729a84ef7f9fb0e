"""Each revision keeps the item's translations as they were

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-06 10:00:00+00:00

Editors write an item's translations through the editor API (`PUT
/api/v1/editor/{collection}/{slug}/translations/{lang}`), each write a new revision of the item.
`translations` is the JSON of the item's translations after the write that made the revision
({lang: {field: text}}), so that no translated text is lost when it is replaced and a revision
restored brings its translations back; null where the revision predates this column or the
collection has none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0046"
down_revision: str | None = "0045"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("revision", sa.Column("translations", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("revision", "translations")
