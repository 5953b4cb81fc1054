"""`votehall serve` skips alembic on an up-to-date database (server.migrate.at_head, issue 16).

The head is read from the migration files as text; it must be the head alembic itself finds,
and the database's revision must be read right on both backends, or a server would either skip
a migration it needs or import alembic for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.db import make_engine
from server.migrate import alembic_config, at_head, head_revisions, upgrade


def _alembic_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_the_head_read_as_text_is_alembics_head() -> None:
    assert head_revisions() == _alembic_heads()
    assert len(head_revisions()) == 1  # a second head would be a branch nobody merged


async def test_a_new_database_is_not_at_head_until_upgraded(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    assert not await asyncio.to_thread(at_head, url)
    await asyncio.to_thread(upgrade, url)
    assert await asyncio.to_thread(at_head, url)


async def test_a_database_one_migration_behind_is_not_at_head(tmp_path: Path) -> None:
    (head,) = _alembic_heads()
    previous = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(head).down_revision
    assert isinstance(previous, str)
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    await asyncio.to_thread(upgrade, url, previous)
    assert not await asyncio.to_thread(at_head, url)


async def _execute(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def test_the_migrated_database_is_at_head_and_without_its_version_is_not(
    database_template: str, tmp_path: Path
) -> None:
    """On both backends: the conftest's migrated database is at head; with its alembic_version
    empty, or without that table, it is not (the table is put back: the template is shared)."""
    if database_template.startswith("postgresql"):
        url = database_template
    else:
        path = tmp_path / "copy.db"
        shutil.copyfile(database_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    assert await asyncio.to_thread(at_head, url)
    (head,) = head_revisions()
    try:
        await _execute(url, "DELETE FROM alembic_version")
        assert not await asyncio.to_thread(at_head, url)
        await _execute(url, "ALTER TABLE alembic_version RENAME TO alembic_version_kept")
        assert not await asyncio.to_thread(at_head, url)
    finally:
        with contextlib.suppress(DBAPIError):  # not renamed if an assertion above failed
            await _execute(url, "ALTER TABLE alembic_version_kept RENAME TO alembic_version")
        await _execute(url, "DELETE FROM alembic_version", f"INSERT INTO alembic_version VALUES ('{head}')")
    assert await asyncio.to_thread(at_head, url)
