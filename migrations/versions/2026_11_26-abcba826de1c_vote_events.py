"""vote events

Revision ID: abcba826de1c
Revises: 0db891414e21
Create Date: 2026-11-26 14:27:19.082320
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "abcba826de1c"
down_revision: str | None = "0db891414e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vote_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_vote_events_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_vote_events_member_id_members")),
        sa.ForeignKeyConstraint(["pass_id"], ["passes.id"], name=op.f("fk_vote_events_pass_id_passes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_events")),
        sa.UniqueConstraint("member_id", "vote_id", name=op.f("uq_vote_events_member_id_vote_id")),
    )
    with op.batch_alter_table("vote_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_events_ballot_id"), ["ballot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vote_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_events_ballot_id"))

    op.drop_table("vote_events")
