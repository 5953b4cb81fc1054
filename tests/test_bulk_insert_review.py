"""Review of issue 16's writer change: `BulkInsert` stores exactly what SQLAlchemy's Core insert
stored (SQLite's timestamp text, PostgreSQL's timestamptz), refuses what it refused (a value
longer than its varchar), and keeps NULLs and the upsert's update of every non-key column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.audit.journal import INSERT_ENTRIES, LOG_TABLE
from server.bulk_insert import driver_value
from server.db import Database

# Same instant, given in another zone: stored as UTC either way.
WHEN = datetime(2026, 12, 4, 21, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))


def _row(seq: int, *, at: datetime = WHEN, kind: str = "vote", body: str = '{"x":1}') -> dict[str, Any]:
    return {
        "chain": 7,
        "seq": seq,
        "at": at,
        "type": kind,
        "body": body,
        "prev_hash": "a" * 64,
        "hash": f"{seq:064d}",
    }


async def _raw(database: Database) -> list[tuple[Any, ...]]:
    """The stored rows as the driver returns them (no SQLAlchemy result processing)."""
    async with database.engine.connect() as connection:
        result = await connection.exec_driver_sql(
            "SELECT seq, CAST(at AS TEXT), type, body, prev_hash, hash FROM log_entries"
            " WHERE chain = 7 ORDER BY id"
        )
        return [tuple(row) for row in result]


async def test_bulk_rows_are_stored_as_the_core_insert_stored_them(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(insert(LOG_TABLE), [_row(1), _row(2, body="é ✓ ’")])
    core = await _raw(database)
    # log_entries refuses DELETE (append-only triggers): store the bulk rows under seq + 10.
    async with database.engine.begin() as connection:
        stamp = driver_value(LOG_TABLE.c.at, WHEN, connection.dialect)
        rows = [
            (*tuple(r.values())[:2], stamp, *tuple(r.values())[3:])
            for r in (_row(11), _row(12, body="é ✓ ’"))
        ]
        await INSERT_ENTRIES.run(connection, rows)
    bulk = await _raw(database)
    bulk = bulk[len(core) :]
    assert [(seq - 10, *rest[:-1]) for seq, *rest in bulk] == [(seq, *rest[:-1]) for seq, *rest in core]
    async with database.engine.connect() as connection:
        ats = (await connection.execute(select(LOG_TABLE.c.at).where(LOG_TABLE.c.chain == 7))).scalars().all()
    assert set(ats) == {WHEN.astimezone(UTC)}


async def test_a_value_longer_than_its_column_is_never_cut(database: Database) -> None:
    """PostgreSQL refuses it; SQLite, which does not enforce varchar lengths, stores it whole
    (as the Core insert did on both)."""
    row = (7, 1, None, "t" * 41, "{}", "a" * 64, "b" * 64)
    async with database.engine.begin() as connection:
        stamp = driver_value(LOG_TABLE.c.at, WHEN, connection.dialect)
        if database.dialect == "postgresql":
            # asyncpg's StringDataRightTruncationError reaches SQLAlchemy as a plain DBAPIError,
            # as it did through the Core insert: the text[] array is not cut to varchar(40).
            with pytest.raises(DBAPIError, match="value too long"):
                await INSERT_ENTRIES.run(connection, [(*row[:2], stamp, *row[3:])])
            return
        await INSERT_ENTRIES.run(connection, [(*row[:2], stamp, *row[3:])])
    async with database.engine.connect() as connection:
        stored = (
            (await connection.execute(select(LOG_TABLE.c.type).where(LOG_TABLE.c.chain == 7))).scalars().all()
        )
    assert stored == ["t" * 41]


async def test_a_null_in_a_not_null_column_is_refused(database: Database) -> None:
    async with database.engine.begin() as connection:
        stamp = driver_value(LOG_TABLE.c.at, WHEN, connection.dialect)
        with pytest.raises(IntegrityError):
            await INSERT_ENTRIES.run(connection, [(7, 1, stamp, None, "{}", "a" * 64, "b" * 64)])
