"""pairing codes

Revision ID: b7df632b4ef1
Revises: abcba826de1c
Create Date: 2026-11-26 14:35:52.001506
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7df632b4ef1"
down_revision: str | None = "abcba826de1c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX work on SQLite without rebuilding the table (a batch
    # rebuild would have to carry the partial unique index on active passes across).
    op.add_column("passes", sa.Column("pairing_code_hash", sa.String(length=64), nullable=True))
    op.add_column("passes", sa.Column("pairing_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("passes", sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_passes_pairing_code_hash"), "passes", ["pairing_code_hash"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_passes_pairing_code_hash"), table_name="passes")
    with op.batch_alter_table("passes", schema=None) as batch_op:
        batch_op.drop_column("paired_at")
        batch_op.drop_column("pairing_expires_at")
        batch_op.drop_column("pairing_code_hash")
