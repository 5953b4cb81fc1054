"""secret ballots and elections (issue 14, SPEC 2.9, 2.10, docs/SECRET_BALLOTS.md)

Ballots gain `secret`, the round of an election (`round_of_id`, `round`), the public half of a
secret ballot's key, an election's logged result and when a secret result was released; meetings
gain the vote-counting committee's public key. New tables: `candidates`, and the secret vote path's
`sealed_votes`, `ballot_keys` and `unit_ballots`.

Every change to `ballots` and `meetings` is a plain ADD COLUMN, nullable or with a server default:
no table rebuild, so SQLite keeps the partial unique indexes as they are and, with foreign keys on,
no ON DELETE CASCADE takes the votes (see the ballot corrections migration). `secret` has the server
default false: every ballot stored before reads as public, as SPEC 4.1 says.

Revision ID: f5a2c8e1d3b7
Revises: e7b3f1a90c25
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5a2c8e1d3b7"
down_revision: str | None = "e7b3f1a90c25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BALLOT_COLUMNS = ("secret", "round_of_id", "round", "sealing_key", "election_result", "released_at")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("ballots", sa.Column("secret", sa.Boolean(), nullable=False, server_default=sa.false()))
    if postgresql:
        op.add_column("ballots", sa.Column("round_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_ballots_round_of_id_ballots", "ballots", "ballots", ["round_of_id"], ["id"])
    else:
        # SQLite takes a reference in ADD COLUMN (not as a separate ALTER): no table rebuild.
        op.execute("ALTER TABLE ballots ADD COLUMN round_of_id INTEGER REFERENCES ballots (id)")
    op.add_column("ballots", sa.Column("round", sa.String(16), nullable=True))
    op.add_column("ballots", sa.Column("sealing_key", sa.String(64), nullable=True))
    op.add_column("ballots", sa.Column("election_result", sa.JSON(), nullable=True))
    op.add_column("ballots", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meetings", sa.Column("committee_public_key", sa.Text(), nullable=True))
    op.add_column("meetings", sa.Column("committee_fingerprint", sa.String(64), nullable=True))

    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_candidates_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
    )
    op.create_index(op.f("ix_candidates_ballot_id"), "candidates", ["ballot_id"], unique=False)
    op.create_table(
        "sealed_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("box", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_sealed_votes_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_sealed_votes_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_votes")),
        sa.UniqueConstraint("ballot_id", "member_id", name=op.f("uq_sealed_votes_ballot_id_member_id")),
        sa.UniqueConstraint("ballot_id", "tag", name=op.f("uq_sealed_votes_ballot_id_tag")),
    )
    op.create_table(
        "ballot_keys",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_ballot_keys_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ballot_id", name=op.f("pk_ballot_keys")),
    )
    op.create_table(
        "unit_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_unit_ballots_ballot_id_ballots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_ballots")),
        sa.UniqueConstraint("ballot_id", "receipt", name=op.f("uq_unit_ballots_ballot_id_receipt")),
    )


def downgrade() -> None:
    op.drop_table("unit_ballots")
    op.drop_table("ballot_keys")
    op.drop_table("sealed_votes")
    op.drop_index(op.f("ix_candidates_ballot_id"), table_name="candidates")
    op.drop_table("candidates")
    op.execute("ALTER TABLE meetings DROP COLUMN committee_fingerprint")
    op.execute("ALTER TABLE meetings DROP COLUMN committee_public_key")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_ballots_round_of_id_ballots", "ballots", type_="foreignkey")
    for column in reversed(_BALLOT_COLUMNS):
        # SQLite (3.35 and later) drops a column in place, so the partial indexes stay.
        op.execute(f"ALTER TABLE ballots DROP COLUMN {column}")
