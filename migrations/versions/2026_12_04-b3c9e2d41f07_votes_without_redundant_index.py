"""votes: drop the index on ballot_id that the unique (ballot_id, member_id) already gives (issue 16)

Every vote writes a row into `votes` (the current vote, an upsert on (ballot_id, member_id)).
The unique constraint's index leads with `ballot_id`, so it serves every lookup by ballot that
`ix_votes_ballot_id` served, on SQLite and on PostgreSQL alike; the second index only cost one
more b-tree insert per vote on the vote path. `vote_events` keeps its index on `ballot_id`: its
unique key leads with `member_id`.

Revision ID: b3c9e2d41f07
Revises: a8d3e5f70b12
Create Date: 2026-12-04 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b3c9e2d41f07"
down_revision: str | None = "a8d3e5f70b12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_votes_ballot_id", table_name="votes")


def downgrade() -> None:
    op.create_index("ix_votes_ballot_id", "votes", ["ballot_id"], unique=False)
