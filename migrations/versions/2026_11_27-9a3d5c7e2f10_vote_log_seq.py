"""votes.log_seq: the log entry of the current vote, to order a member's votes across processes

Revision ID: 9a3d5c7e2f10
Revises: 8c4f2a6d1e93
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a3d5c7e2f10"
down_revision: str | None = "8c4f2a6d1e93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("votes", sa.Column("log_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("log_seq")
