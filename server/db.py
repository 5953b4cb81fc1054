"""Database engine, declarative base and session handling.

SQLite runs in WAL mode with `synchronous=FULL`, so a committed transaction is on disk before
the commit returns (SPEC 5, "Durable"). Each SQLite transaction starts with `BEGIN IMMEDIATE`:
it takes the write lock up front, so a transaction that reads and then writes can never fail
half-way on a lock upgrade, and the order of writers is the order of commits. Before it asks
SQLite, a writing transaction queues for the process's `WriteLock` (server.write_lock), so the
writers of one process take SQLite's lock one after another in order of arrival instead of
racing for it in SQLite's busy handler; `busy_timeout` then only counts against other processes.

PostgreSQL may restart under a running server (docs/DATABASE_OUTAGE.md). A pooled connection
that the server closed is known to be closed without asking it: the pool replaces it at
checkout instead of handing it out to fail. That costs no round trip, unlike `pool_pre_ping`
(asyncpg's ping is BEGIN, `;` and ROLLBACK), which would add three to every group commit of the
vote writer. A connection that dies while in use raises an error marked `connection_invalidated`;
SQLAlchemy then retires every connection pooled before it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, TypeDecorator, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from server.write_lock import LOCK, SerialisedWrites, WriteLock, let_go

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with a timezone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# How long a connection waits for SQLite's write lock held by another process (the writers of
# this process queue in its WriteLock instead); VOTEHALL_SQLITE_BUSY_TIMEOUT_MS.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _configure_sqlite(engine: AsyncEngine, begin: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Deleted rows are overwritten with zeros, not left in free space: the sealed votes and the
        # wrapped ballot key a secret ballot's close deletes (docs/SECRET_BALLOTS.md, "Close").
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def _configure_postgresql(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # The driver's own flag, set when the socket closed (the server restarted or ended the
        # session): no round trip. DisconnectionError makes the pool connect anew and retry.
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the pooled connection was closed by the database server")


def make_engine(
    url: str, *, readonly: bool = False, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """An engine; on SQLite a `readonly` one begins deferred transactions, which in WAL mode read
    a consistent snapshot without ever taking the write lock from the vote writer."""
    # Bound parameters are card codes, names and hashes: never in SQLAlchemy's statement log or
    # in the text of a database error that ends up in a traceback (SECURITY.md).
    engine = create_async_engine(url, **{"hide_parameters": True, **kwargs})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, "BEGIN" if readonly else "BEGIN IMMEDIATE", busy_timeout_ms)
    elif engine.dialect.driver == "asyncpg":
        _configure_postgresql(engine)
    return engine


class Database:
    """One engine and its session factory; the app and the CLI each hold one."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        # SQLite: one writer at a time per process, in order of arrival (server.write_lock).
        self.write_lock = WriteLock() if self.engine.dialect.name == "sqlite" else None
        self.sessions = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            autoflush=False,
            sync_session_class=SerialisedWrites,
            info={LOCK: self.write_lock} if self.write_lock is not None else None,
        )
        self.read_engine = (
            make_engine(url, readonly=True, **engine_kwargs)
            if self.engine.dialect.name == "sqlite"
            else self.engine
        )
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block ends without an error: the one commit point.

        `readonly` transactions must not write; on SQLite they never wait for the write lock.
        """
        factory = self.read_sessions if readonly else self.sessions
        async with factory() as session:
            try:
                async with session.begin():
                    yield session
            finally:
                let_go(session.sync_session)  # after the commit or rollback

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
