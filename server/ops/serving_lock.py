"""Refuse a second server process that would show different tallies (SPEC 5 "Scale out").

Each process keeps its own read model; without Redis it learns only of its own commits, so two
processes on one database would show two different tallies on the hall screens. `serve
--workers N` refuses that up front; this lock also catches two `votehall serve` started by hand
(or on two hosts) against one database:

- PostgreSQL: a session advisory lock on a connection held while the process serves; exclusive
  without Redis, shared with Redis. A process without Redis cannot join processes with Redis,
  and the other way round. A crashed process's lock ends with its connection.
- SQLite: an exclusive `flock` on a file beside the database (several processes need
  PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import IO, Any

from sqlalchemy import make_url

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x566F7465_48616C6C  # "VoteHall"; a signed 64-bit key
ADVISORY_KEY -= 1 << 64 if ADVISORY_KEY >= 1 << 63 else 0


TRIES, TRY_EVERY = 5, 0.25  # seconds


# The lock's connection names its holder (the refusal quotes it), and PostgreSQL probes it, so
# that a host that vanished without closing the connection lets go within about a minute.
def _session() -> dict[str, str]:
    return {
        "application_name": f"votehall serve on {socket.gethostname()} pid {os.getpid()}"[:63],
        "tcp_keepalives_idle": "30",
        "tcp_keepalives_interval": "10",
        "tcp_keepalives_count": "3",
    }


async def _holders(connection: Any) -> str:
    """Who holds the lock now: the application names of their connections."""
    rows = await connection.fetch(
        """
        SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """,
        (ADVISORY_KEY >> 32) & 0xFFFFFFFF,
        ADVISORY_KEY & 0xFFFFFFFF,
    )
    names = sorted({f"{row['application_name'] or 'unnamed'}" for row in rows})
    return ", ".join(names) or "gone by now"


class ServingConflict(RuntimeError):
    """Another process serves this database in a way this one cannot join."""


class ServingLock:
    def __init__(self, connection: Any = None, file: IO[bytes] | None = None) -> None:
        self._connection = connection
        self._file = file

    @classmethod
    async def acquire(cls, database_url: str, *, redis: bool) -> ServingLock:
        url = make_url(database_url)
        if url.get_backend_name() == "postgresql":
            return await cls._postgresql(database_url, redis=redis)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return cls._sqlite(Path(url.database))
        return cls()

    @classmethod
    async def _postgresql(cls, database_url: str, *, redis: bool) -> ServingLock:
        # Imported here: every server imports this module, and one on SQLite never needs asyncpg.
        import asyncpg  # type: ignore[import-untyped]

        dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn, timeout=10, server_settings=_session())
        function = "pg_try_advisory_lock_shared" if redis else "pg_try_advisory_lock"
        # A predecessor that has just stopped may still be letting go: a few tries, then refuse.
        for _ in range(TRIES):
            if await connection.fetchval(f"SELECT {function}($1)", ADVISORY_KEY):
                return cls(connection=connection)
            await asyncio.sleep(TRY_EVERY)
        try:
            holders = await _holders(connection)
        except Exception as error:  # the refusal matters more than its detail
            holders = f"unknown: {type(error).__name__}"
        finally:
            await connection.close()
        if redis:
            raise ServingConflict(
                f"another VoteHall process ({holders}) serves this database without "
                "VOTEHALL_REDIS_URL; stop it, or give every process the same VOTEHALL_REDIS_URL"
            )
        raise ServingConflict(
            f"another VoteHall process ({holders}) serves this database; several processes need "
            "VOTEHALL_REDIS_URL (the same Redis for all), or the hall screens would disagree"
        )

    @classmethod
    def _sqlite(cls, database: Path) -> ServingLock:
        path = database.with_name(database.name + ".serving")
        file = path.open("ab")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            raise ServingConflict(
                f"another VoteHall process serves {database}; one process serves an SQLite "
                "database (several processes need PostgreSQL and VOTEHALL_REDIS_URL)"
            ) from None
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        return cls(file=file)

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # a restarted database has let go already
                await self._connection.close(timeout=5)
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing ends the flock
            self._file = None
