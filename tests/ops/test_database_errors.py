"""How a real database error is classified (server/database_errors.py): a database that is away
or busy is 503, a value the client sent that cannot be stored is 422, and the server's own bugs
stay 500 even when the driver calls them "operational"."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from server.database_errors import away, unstorable
from server.db import Database


async def error_of(
    url: str, work: Callable[[AsyncConnection], Awaitable[object]], **options: object
) -> DBAPIError:
    engine = create_async_engine(url, **options)  # type: ignore[arg-type]
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as raised:
                await work(connection)
    finally:
        await engine.dispose()
    return raised.value


def sql(statement: str) -> Callable[[AsyncConnection], Awaitable[object]]:
    async def work(connection: AsyncConnection) -> object:
        return await connection.execute(text(statement))

    return work


async def test_sqlite_a_missing_column_is_the_servers_bug(tmp_path: Path) -> None:
    error = await error_of(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", sql("SELECT nope FROM nowhere"))
    assert (away(error), unstorable(error)) == (False, False)


async def test_sqlite_a_lock_held_too_long_is_the_database_away(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        error = await error_of(
            f"sqlite+aiosqlite:///{path}", sql("INSERT INTO t VALUES (1)"), connect_args={"timeout": 0.05}
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in str(error)
    assert (away(error), unstorable(error)) == (True, False)


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_postgresql_errors_by_sqlstate(database: Database) -> None:
    url = database.url
    division = await error_of(url, sql("SELECT 1 / 0"))
    assert (away(division), unstorable(division)) == (False, False)  # 22012: the server's bug

    async def overflow(connection: AsyncConnection) -> object:
        return await connection.execute(text("SELECT CAST(:n AS integer)"), {"n": "99999999999"})

    out_of_range = await error_of(url, overflow)
    assert (away(out_of_range), unstorable(out_of_range)) == (False, True)  # 22003: the client's

    async def timeout(connection: AsyncConnection) -> object:
        await connection.execute(text("SET statement_timeout = 10"))
        return await connection.execute(text("SELECT pg_sleep(1)"))

    cancelled = await error_of(url, timeout)
    assert (away(cancelled), unstorable(cancelled)) == (True, False)  # 57014: busy, try again

    missing = await error_of(url, sql("SELECT nope FROM nowhere"))
    assert (away(missing), unstorable(missing)) == (False, False)  # 42P01: the server's bug
