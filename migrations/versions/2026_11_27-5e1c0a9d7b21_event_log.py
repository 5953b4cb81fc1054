"""event log: hash-chained, append-only entries, one head per chain; the close hash of a ballot

Revision ID: 5e1c0a9d7b21
Revises: 2f859aeee48a
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1c0a9d7b21"
down_revision: str | None = "2f859aeee48a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "log_entries is append-only: entries are never updated or deleted"


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_entries")),
        sa.UniqueConstraint("chain", "seq", name=op.f("uq_log_entries_chain_seq")),
    )
    op.create_table(
        "log_heads",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_log_heads")),
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("close_seq", sa.Integer(), nullable=True))

    # Append-only, enforced by the database itself (issue 5): any UPDATE or DELETE fails.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION log_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries "
            "FOR EACH ROW EXECUTE FUNCTION log_entries_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER log_entries_no_{action.lower()} BEFORE {action} ON log_entries "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER log_entries_append_only ON log_entries")
        op.execute("DROP FUNCTION log_entries_append_only()")
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("close_seq")
        batch_op.drop_column("close_hash")
    op.drop_table("log_heads")
    op.drop_table("log_entries")
