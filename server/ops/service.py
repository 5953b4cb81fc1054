"""Readiness: may a load balancer send this process kiosks and screens?"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from server.db import Database
from server.live.hub import LiveHub

READY_TIMEOUT = 2.0  # seconds for the database to answer SELECT 1


async def readiness_problem(
    database: Database | None, hub: LiveHub | None, limit: float = READY_TIMEOUT
) -> str | None:
    """Why this process is not ready, or None: the live hub must run (it does not while starting
    or shutting down), its vote writer must be able to commit (a full disk fails every commit
    while reads still work), and the database must answer within `limit` seconds.

    The answer goes to anyone who asks, so it names the kind of failure, never the driver's
    message (which may carry a host name or a user).
    """
    if hub is None or not hub.running:
        return "the live hub is not running (starting up or shutting down)"
    writer = hub.writer
    if writer.failing_since is not None:
        since = time.monotonic() - writer.failing_since
        return f"the vote writer cannot commit ({writer.failure}, for {since:.0f} s)"
    if database is None:
        return "no database"
    try:
        async with asyncio.timeout(limit):
            # The read engine: on SQLite it never waits for the vote writer's write lock.
            async with database.read_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"the database did not answer within {limit:g} s"
    except Exception as error:
        return f"the database did not answer ({type(error).__name__})"
    return None
