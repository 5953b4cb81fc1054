"""the chair's current agenda item and a ballot's countdown (issue 12: the hall screen and handhelds)

Revision ID: e7b3f1a90c25
Revises: d41a7c2e9b10
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7b3f1a90c25"
down_revision: str | None = "d41a7c2e9b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("current_item", sa.String(20), nullable=True))
    op.add_column("ballots", sa.Column("countdown_ends_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE ballots DROP COLUMN countdown_ends_at")
    op.execute("ALTER TABLE meetings DROP COLUMN current_item")
