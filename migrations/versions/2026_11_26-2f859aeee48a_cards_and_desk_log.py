"""cards and desk log

Revision ID: 2f859aeee48a
Revises: b7df632b4ef1
Create Date: 2026-11-26 14:45:38.638705
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2f859aeee48a"
down_revision: str | None = "b7df632b4ef1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "issued_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_cards_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_cards_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("code", name=op.f("uq_cards_code")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            "uq_cards_one_valid_per_member",
            ["meeting_id", "member_id"],
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )

    op.create_table(
        "desk_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("operator_token_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_desk_log_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_desk_log_member_id_members")),
        sa.ForeignKeyConstraint(
            ["operator_token_id"],
            ["operator_tokens.id"],
            name=op.f("fk_desk_log_operator_token_id_operator_tokens"),
        ),
        sa.ForeignKeyConstraint(["pass_id"], ["passes.id"], name=op.f("fk_desk_log_pass_id_passes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_log")),
    )
    with op.batch_alter_table("desk_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_log_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("desk_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_log_meeting_id"))

    op.drop_table("desk_log")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cards_one_valid_per_member",
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_cards_meeting_id"))

    op.drop_table("cards")
