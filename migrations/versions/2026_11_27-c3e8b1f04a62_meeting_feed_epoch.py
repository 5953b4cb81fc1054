"""meeting feed_epoch: the order in which meetings opened, the high part of a feed version

A feed version was meeting id * 10^9 + log seq, which went back when an older meeting opened
after a newer one (a rehearsal meeting created after the real one and held first). The epoch
counts openings instead. Meetings opened before this migration keep their id as epoch, so the
versions they showed do not change.

Revision ID: c3e8b1f04a62
Revises: 9a3d5c7e2f10
Create Date: 2026-11-27 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e8b1f04a62"
down_revision: str | None = "9a3d5c7e2f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, as for published_at: no batch rebuild of the partial index on SQLite.
    op.add_column("meetings", sa.Column("feed_epoch", sa.Integer(), nullable=True))
    op.execute("UPDATE meetings SET feed_epoch = id WHERE opened_at IS NOT NULL")
    # Two meetings never share an epoch (their versions would collide); NULLs (never opened) may.
    op.create_index("uq_meetings_feed_epoch", "meetings", ["feed_epoch"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_meetings_feed_epoch", table_name="meetings")
    op.execute("ALTER TABLE meetings DROP COLUMN feed_epoch")
