"""SQLite's writers, one at a time and in order of arrival, inside the process (issue 13 item 8).

SQLite has one write lock per database file. When several pooled connections ask for it at
once (`BEGIN IMMEDIATE`), each loser sleeps in SQLite's busy handler and tries again now and
then; nobody queues. On a loaded machine a waiter could keep losing the race to later arrivals
until its `busy_timeout` ran out, and the request answered 503 "database is locked" although
the database was fine: the vote writer's group commits and the desk's check-ins starved each
other.

`WriteLock` is the queue SQLite lacks: every transaction that writes (the vote writer's batches,
every non-GET request, the CLI) takes it before its connection asks SQLite for the write lock,
and gets it strictly in the order it asked. Within one process SQLite's own lock is then always
free when asked for, and `busy_timeout` only matters against another process (a CLI command
beside the server), which is what a 503 "database is locked" now means. Reads never take it:
they run on the read engine's deferred transactions, which in WAL mode never wait for a writer.

The lock is taken lazily, when the transaction first needs its connection (`SerialisedWrites`),
not when the session is made, so a request that waits before its first query (the desk's
back-off) holds nobody up; it is released when the transaction has committed or rolled back
(`server.db.Database.transaction`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

HOLDS = "votehall.holds_write_lock"  # Session.info key: this session holds the lock
LOCK = "votehall.write_lock"  # Session.info key: the lock its transactions take


class WriteLock:
    """A first-come, first-served asyncio lock: released, it passes straight to the oldest
    waiter (it never becomes free while someone waits), so the order of holding is the order of
    asking by construction, and a newcomer can never overtake a waiter.

    Not bound to an event loop, unlike asyncio.Lock: each wait makes its future on the loop that
    runs it (the CLI and the tests run several loops over one Database)."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self) -> None:
        if not self._locked and not self._waiters:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed the lock and cancelled before running: pass it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("release of a WriteLock that is not held")
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the lock stays taken: it now belongs to that waiter
                return
        self._locked = False


class SerialisedWrites(Session):
    """A session that takes the write lock named in its `info` before its transaction uses a
    connection for the first time (every query, flush and commit asks `get_bind` first).

    `get_bind` runs inside SQLAlchemy's greenlet for AsyncSession, where `await_only` may wait
    on the event loop."""

    def get_bind(self, mapper: Any = None, **kwargs: Any) -> Any:
        lock: WriteLock | None = self.info.get(LOCK)
        if lock is not None and not self.info.get(HOLDS):
            await_only(lock.acquire())
            self.info[HOLDS] = True
        return super().get_bind(mapper, **kwargs)


def let_go(session: Session) -> None:
    """Release the lock if `session` took it (its transaction has ended)."""
    if session.info.pop(HOLDS, False):
        lock: WriteLock = session.info[LOCK]
        lock.release()
