"""ballot corrections (SPEC 2.7, 2.8): void, re-vote, count by hand, aantekening, wider preadvies

The preadvies column was 16 characters, too narrow for "oordeel_vergadering" (19); it becomes 32,
and every stored value stays as it is. PostgreSQL alters the column. SQLite ignores a VARCHAR's
length but keeps the declared type in its schema text; that text is edited in place, the
procedure SQLite's documentation gives for changes that leave the stored content alone (ALTER
TABLE, section 7). A table rebuild (Alembic's batch mode) would instead drop the ballots table,
and with foreign keys on, its ON DELETE CASCADE would take the votes with it. New columns are plain ADD COLUMNs with defaults, so ballots stored before read as before
(not off the agenda, not a re-vote, not voided, counted electronically, no dissent noted).

Revision ID: d41a7c2e9b10
Revises: c3e8b1f04a62
Create Date: 2026-12-02 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d41a7c2e9b10"
down_revision: str | None = "c3e8b1f04a62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = ("off_agenda", "revote_of_id", "void_reason", "counted_by_hand", "confirmed_by", "dissent")


def _sqlite_preadvies_type(old: str, new: str) -> None:
    bind = op.get_bind()
    query = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ballots'"
    sql = bind.exec_driver_sql(query).scalar_one()
    changed = sql.replace(f"preadvies {old}", f"preadvies {new}")
    if changed == sql:
        raise RuntimeError(f"the ballots table does not declare preadvies as {old}: {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'ballots'", (changed,)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ballots", "preadvies", type_=sa.String(32), existing_type=sa.String(16))
    else:
        _sqlite_preadvies_type("VARCHAR(16)", "VARCHAR(32)")
    false = sa.false()
    op.add_column("ballots", sa.Column("off_agenda", sa.Boolean(), nullable=False, server_default=false))
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("ballots", sa.Column("revote_of_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_ballots_revote_of_id_ballots", "ballots", "ballots", ["revote_of_id"], ["id"]
        )
    else:
        # SQLite takes a reference in ADD COLUMN (not as a separate ALTER): no table rebuild.
        op.execute("ALTER TABLE ballots ADD COLUMN revote_of_id INTEGER REFERENCES ballots (id)")
    op.add_column("ballots", sa.Column("void_reason", sa.String(300), nullable=True))
    op.add_column("ballots", sa.Column("counted_by_hand", sa.Boolean(), nullable=False, server_default=false))
    op.add_column("ballots", sa.Column("confirmed_by", sa.String(200), nullable=True))
    op.add_column("ballots", sa.Column("dissent", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_ballots_revote_of_id_ballots", "ballots", type_="foreignkey")
    for column in reversed(_NEW):
        op.execute(f"ALTER TABLE ballots DROP COLUMN {column}")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("ballots", "preadvies", type_=sa.String(16), existing_type=sa.String(32))
    else:
        _sqlite_preadvies_type("VARCHAR(32)", "VARCHAR(16)")
