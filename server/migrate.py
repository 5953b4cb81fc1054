"""Apply the Alembic migrations from inside the installed package.

Alembic is imported only when a migration runs. `votehall serve` first asks `at_head`, which
reads the head revision(s) from the migration files as text and the database's from its
`alembic_version` table: a server started on an up-to-date database never imports alembic,
whose modules (about 10 MB) would otherwise stay in its memory all day (issue 16).
"""

from __future__ import annotations

import ast
import asyncio
import re
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from server.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "alembic_version"  # alembic's default, which migrations/env.py keeps

# The assignments every migration file starts with, as alembic's template writes them:
# `revision: str = "0db891414e21"`, `down_revision: str | None = "..."` (or None, or a tuple of
# revisions where branches merge).
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("migrations")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision`. Runs its own event loop: call it outside one (or in a thread)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def head_revisions() -> frozenset[str]:
    """The head revision(s) of migrations/versions, read as text (without importing alembic):
    the revisions that no migration names as its down_revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in files("migrations").joinpath("versions").iterdir():
        if not script.name.endswith(".py") or script.name == "__init__.py":
            continue
        found = {
            name: ast.literal_eval(value) for name, value in _ASSIGNMENT.findall(script.read_text("utf-8"))
        }
        if not isinstance(found.get("revision"), str) or "down_revision" not in found:
            raise ValueError(f'{script.name}: no `revision = "..."` and `down_revision = ...` lines')
        revisions.add(found["revision"])
        down = found["down_revision"]
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def _stamped(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


async def database_revisions(database_url: str) -> frozenset[str]:
    """The revision(s) the database is at (one row per head in alembic_version); none without
    the table (a new database)."""
    # A read-only engine: on SQLite it begins a deferred transaction, which does not wait for
    # the write lock of a server already running on the file.
    engine = make_engine(database_url, readonly=True)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_stamped)
    finally:
        await engine.dispose()


def at_head(database_url: str) -> bool:
    """Whether the database is at the head revision(s), so that there is nothing to migrate.

    Runs its own event loop, as `upgrade` does. `database_url` names an async driver (as
    Settings makes it). A migration file it cannot read answers False: alembic then decides.
    """
    try:
        heads = head_revisions()
    except (ValueError, SyntaxError):
        return False
    return asyncio.run(database_revisions(database_url)) == heads
