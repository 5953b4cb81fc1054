"""A hall for hostile clients: the meeting of tests/live/conftest.py served by a real
`votehall serve`, with ballot 1 open and GM0004's pass revoked (a pass a thief might present).

The kiosk's message rate is raised here, so that the fuzzers reach the parser and the vote path
instead of the rate limit; tests/hostile/test_limits.py checks the limit at its defaults.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text

from server.auth.roles import Role
from server.db import Database
from server.migrate import upgrade
from tests.archive.conftest import play_meeting
from tests.live.conftest import Hall, hall, seed_hall
from tests.servers import ServerProcess

T = TypeVar("T")
__all__ = ["hall"]  # tests/live's hall, at the default limits, for tests/hostile/test_limits.py

HOSTILE, HONEST, REVOKED = "GM0001", "GM0002", "GM0004"
# What a server may print on its way to a 5xx or a dead connection.
CRASH_MARKS = ("Traceback", "Exception in ASGI application", "Internal Server Error")


@dataclass
class HostileHall(Hall):
    database: Database

    @property
    def open_ballot(self) -> int:
        return self.seeded.ballot_ids[0]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.seeded.tokens[role]}"}

    def crashes(self) -> list[str]:
        """The server's output from each line that shows an unhandled error on (none, for a pass)."""
        lines = self.server.output().splitlines()
        return [
            "\n".join(lines[n : n + 120])
            for n, line in enumerate(lines)
            if any(m in line for m in CRASH_MARKS)
        ]

    async def stored_votes(self) -> list[tuple[Any, ...]]:
        """The `votes` table as (member code, ballot, choice, vote_id), in a stable order."""
        return await self._rows(
            "SELECT m.cbs_code, v.ballot_id, v.choice, v.vote_id FROM votes v "
            "JOIN members m ON m.id = v.member_id ORDER BY m.cbs_code, v.ballot_id"
        )

    async def stored_vote_events(self) -> list[tuple[Any, ...]]:
        return await self._rows(
            "SELECT m.cbs_code, e.ballot_id, e.choice, e.vote_id FROM vote_events e "
            "JOIN members m ON m.id = e.member_id ORDER BY e.id"
        )

    async def _rows(self, query: str) -> list[tuple[Any, ...]]:
        async with self.database.transaction(readonly=True) as session:
            return [tuple(row) for row in (await session.execute(text(query))).all()]


@pytest.fixture(scope="session")
async def archive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The export of tests/archive's played meeting, built once on SQLite (the document is the
    same on both databases)."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('archive') / 'original.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    try:
        return await (await play_meeting(database)).export()
    finally:
        await database.dispose()


def hostile_env(**extra: str) -> dict[str, str]:
    return {
        "VOTEHALL_KIOSK_MESSAGES_PER_SECOND": "1000000",
        "VOTEHALL_KIOSK_MESSAGE_BURST": "1000000",
        # `cards send` must never reach a mail server from a fuzzer, whatever the developer's
        # environment says: without a host it refuses (an empty value is "not configured").
        "VOTEHALL_SMTP_HOST": "",
        **extra,
    }


@pytest.fixture
async def hostile_hall(database: Database) -> AsyncIterator[HostileHall]:
    seeded, other = await seed_hall(database)
    server = ServerProcess(database.url, env=hostile_env())
    server.start()
    hall = HostileHall(server=server, seeded=seeded, other_meeting_ballot=other, database=database)
    try:
        async with httpx.AsyncClient(base_url=server.base) as client:
            revoked = await client.post(
                f"/api/passes/{seeded.pass_ids[REVOKED]}/revoke", headers=hall.headers(Role.DESK)
            )
            assert revoked.status_code == 200, revoked.text
        await hall.action(hall.open_ballot, "open")
        yield hall
    finally:
        server.stop()


def on_loop(loop: asyncio.AbstractEventLoop, timeout: float) -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run coroutines on `loop` from another thread and wait for each: hypothesis drives a plain
    function in a worker thread while the connections live on the test's event loop."""

    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coroutine, loop)
        return future.result(timeout)

    return run
