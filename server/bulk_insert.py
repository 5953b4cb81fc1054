"""Many rows into one table at once, past SQLAlchemy's per-row parameter processing.

The vote writer's group commit inserts thousands of rows into `vote_events`, `votes`,
`log_entries` (and `sealed_votes`). Through a Core `insert()` SQLAlchemy builds and processes a
parameter dict per row (`construct_params`, a bind processor per timestamp): about 7% of the
server's CPU in a burst on SQLite. Here the caller hands over positional tuples whose values are
already what the driver takes, and the statement goes to the driver as text on the session's own
connection (`exec_driver_sql`), in the same transaction, with SQLAlchemy's error translation
(IntegrityError, DataError, a lost connection) intact:

- SQLite: `INSERT ... VALUES (?, ...)` through the driver's `executemany`, one C loop.
- PostgreSQL: one statement for the whole batch, `INSERT ... SELECT * FROM unnest($1::t[], ...)`,
  one array per column: one Bind and one execution in the backend instead of one per row
  (asyncpg's `executemany` runs the INSERT's executor once per row), a fraction of the
  backends' CPU. The arrays are cast to the columns' base types without a length (`text[]`,
  not `varchar(64)[]`): an explicit cast would silently cut a long value, while the assignment
  to the column refuses it, as the row-by-row insert did. `unnest` yields the rows in array
  order, so ids are given in the order of the batch as before.

Either way `ON CONFLICT (keys) DO UPDATE SET col = excluded.col` when `conflict` is given; on
PostgreSQL one statement must not touch a row twice, so the caller gives each key at most once
(the writer's upserts are keyed by (ballot, member) already).

Values must be in the form the driver stores: `driver_value` converts one value (a timestamp
once per batch, not once per row) exactly as SQLAlchemy's bind processing for the column would,
so the stored bytes do not change (SQLite's timestamp text, PostgreSQL's timestamptz).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Dialect, Integer, LargeBinary, String, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

Row = tuple[Any, ...]


def driver_value(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """`value` as SQLAlchemy would bind it for `column` on `dialect` (its type's processor)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def _array_type(column: Column[Any]) -> str:
    """The PostgreSQL element type of the array that carries `column`: its base type, unbounded."""
    kind = column.type
    if isinstance(kind, BigInteger):
        return "bigint"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, String):
        return "text"
    if isinstance(kind, LargeBinary):
        return "bytea"
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return "timestamptz"
    raise TypeError(f"bulk_insert: no array type for column {column} ({kind})")


@dataclass(frozen=True, slots=True)
class BulkInsert:
    """An INSERT of `columns` into `table` (an upsert when `conflict` names the unique key:
    the other columns are updated from the new row)."""

    table: Table
    columns: tuple[str, ...]
    conflict: tuple[str, ...] = ()
    _sql: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def sql(self, dialect: Dialect) -> str:
        found = self._sql.get(dialect.name)
        if found is None:
            found = self._sql[dialect.name] = self._build(dialect)
        return found

    def _build(self, dialect: Dialect) -> str:
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in self.columns)
        if dialect.name == "postgresql":
            arrays = ", ".join(
                f"${n}::{_array_type(self.table.c[name])}[]" for n, name in enumerate(self.columns, start=1)
            )
            source = f"SELECT * FROM unnest({arrays})"
        elif dialect.name == "sqlite":
            source = f"VALUES ({', '.join('?' for _ in self.columns)})"
        else:
            raise ValueError(
                f"bulk_insert: VoteHall stores votes on SQLite or PostgreSQL, not {dialect.name}"
            )
        statement = f"INSERT INTO {quote(self.table.name)} ({names}) {source}"
        if self.conflict:
            keys = ", ".join(quote(name) for name in self.conflict)
            updates = ", ".join(
                f"{quote(name)} = excluded.{quote(name)}"
                for name in self.columns
                if name not in self.conflict
            )
            statement += f" ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        return statement

    def parameters(self, dialect: Dialect, rows: Sequence[Row]) -> Any:
        """What the driver takes: the rows themselves (executemany), or on PostgreSQL one
        parameter set of a list per column."""
        if dialect.name == "postgresql":
            return tuple(list(values) for values in zip(*rows, strict=True))
        return list(rows)

    async def run(self, connection: AsyncConnection, rows: Sequence[Row]) -> None:
        if rows:
            await connection.exec_driver_sql(
                self.sql(connection.dialect), self.parameters(connection.dialect, rows)
            )

    def run_sync(self, connection: Connection, rows: Sequence[Row]) -> None:
        if rows:
            connection.exec_driver_sql(
                self.sql(connection.dialect), self.parameters(connection.dialect, rows)
            )
