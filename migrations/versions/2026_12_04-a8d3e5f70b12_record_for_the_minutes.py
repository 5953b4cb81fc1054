"""the record for the minutes (issue 15, SPEC 2.1, 2.9)

The register keeps the reference date of its population figures (`members.reference_date`, CBS:
1 January of a year); a meeting freezes it when it opens (`meetings.population_date`, or is given
it when created). A meeting gains the settings its record needs: the chair's name and the names
of the vote-counting committee's members for the signature block, and whether the public record
names the representatives (off by default: personal data).

Plain ADD COLUMNs, nullable or with a server default: no table rebuild (see the ballot
corrections migration), and every meeting stored before reads as before: no reference date,
no names, representatives not public.

Revision ID: a8d3e5f70b12
Revises: f5a2c8e1d3b7
Create Date: 2026-12-04 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8d3e5f70b12"
down_revision: str | None = "f5a2c8e1d3b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("members", sa.Column("reference_date", sa.Date(), nullable=True))
    op.add_column("meetings", sa.Column("population_date", sa.Date(), nullable=True))
    op.add_column("meetings", sa.Column("chair_name", sa.String(200), nullable=True))
    op.add_column("meetings", sa.Column("committee_members", sa.JSON(), nullable=True))
    op.add_column(
        "meetings",
        sa.Column("publish_representatives", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place: no rebuild, the partial indexes stay.
    for column in ("publish_representatives", "committee_members", "chair_name", "population_date"):
        op.execute(f"ALTER TABLE meetings DROP COLUMN {column}")
    op.execute("ALTER TABLE members DROP COLUMN reference_date")
