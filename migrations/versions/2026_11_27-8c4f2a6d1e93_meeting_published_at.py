"""meeting published_at: when the chair published the per-member record and the log (SPEC 2.9)

Revision ID: 8c4f2a6d1e93
Revises: 5e1c0a9d7b21
Create Date: 2026-11-26 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c4f2a6d1e93"
down_revision: str | None = "5e1c0a9d7b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: on SQLite a batch rebuild would have to carry the partial unique index
    # on the open meeting across.
    op.add_column("meetings", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too, so the partial index stays as it is.
    op.execute("ALTER TABLE meetings DROP COLUMN published_at")
