"""SQLite: every non-GET request's transaction begins with BEGIN IMMEDIATE at its first query,
which is the operator-token lookup, so the whole endpoint runs holding the database's one write
lock. The desk's check-in back-off (`await asyncio.sleep(delay)`, 1 s doubling to 16 s, after five
wrong card codes from a desk token or address within ten minutes) then sleeps *with the write
lock held*: the vote writer's BEGIN IMMEDIATE waits for it (and fails after the 10 s
busy_timeout, see test_writer_failures.py). A busy desk mistyping a few cards freezes voting."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import text

from server.app import create_app
from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from server.desk import endpoints as desk_endpoints
from server.rules import BallotAction, Choice
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, until

# PostgreSQL has no database-wide write lock.
pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)


@pytest.fixture
async def desk(database: Database) -> AsyncIterator[tuple[httpx.AsyncClient, int, dict[str, str]]]:
    seeded, _ = await seed_hall(database)
    app = create_app(Settings(database_url=database.url, env="development"), database)
    headers = {"Authorization": f"Bearer {seeded.tokens[Role.DESK]}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://votehall.test") as client,
    ):
        yield client, seeded.meeting_id, headers


def _write_lock_is_free(database: Database) -> bool:
    path = database.url.removeprefix("sqlite+aiosqlite:///")
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


async def test_the_check_in_back_off_does_not_hold_the_write_lock(
    desk: tuple[httpx.AsyncClient, int, dict[str, str]], database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, meeting_id, headers = desk
    body = {"card": "NOT-A-CARD", "representative": {"name": "A. Typo", "role": "wethouder"}}
    for _ in range(5):  # five mistyped cards: the desk is now slowed down
        answer = await client.post(f"/api/meetings/{meeting_id}/checkins", json=body, headers=headers)
        assert answer.status_code == 422, answer.text

    sleeping, wake = asyncio.Event(), asyncio.Event()

    async def observed_sleep(delay: float) -> None:
        assert delay >= 1
        sleeping.set()
        await wake.wait()

    monkeypatch.setattr(desk_endpoints, "asyncio", SimpleNamespace(sleep=observed_sleep))
    check_in = asyncio.create_task(
        client.post(f"/api/meetings/{meeting_id}/checkins", json=body, headers=headers)
    )
    await sleeping.wait()
    try:
        free = _write_lock_is_free(database)
    finally:
        wake.set()
        await check_in
    assert free, "the check-in back-off sleeps holding SQLite's write lock: no vote can commit"


# Issue 13 item 8: the writers of one process queue for SQLite's lock in order of arrival.


async def test_write_transactions_queue_for_the_lock_and_reads_do_not(database: Database) -> None:
    """A write transaction takes the lock at its first query, not before (a request that sleeps
    first holds nobody up), keeps it until its commit, and the next writer's first query waits
    for it; a read-only transaction meanwhile runs at once."""
    lock = database.write_lock
    assert lock is not None
    first_inside, finish = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with database.transaction() as session:
            assert not lock.locked  # nothing asked the database yet
            await session.execute(text("SELECT 1"))
            assert lock.locked
            first_inside.set()
            await finish.wait()

    second_done = asyncio.Event()

    async def second() -> None:
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))
            second_done.set()

    holder = asyncio.create_task(first())
    await first_inside.wait()
    waiter = asyncio.create_task(second())
    await until(lambda: lock.waiting > 0)
    async with database.transaction(readonly=True) as reading:  # not queued behind the writers
        assert await reading.scalar(text("SELECT count(*) FROM members")) is not None
    assert not second_done.is_set()
    finish.set()
    await asyncio.gather(holder, waiter)
    assert second_done.is_set() and not lock.locked


async def test_the_vote_writer_queues_in_the_same_lock_as_requests(live: Live) -> None:
    """The vote writer's group commit waits in the one queue behind an operator's transaction
    that came first (and is acked as soon as that commits); it does not race it for SQLite's lock."""
    hub, lock = live.hub, live.database.write_lock
    assert lock is not None
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    inside, finish = asyncio.Event(), asyncio.Event()

    async def operator() -> None:
        async with live.database.transaction() as session:
            await session.execute(text("SELECT 1"))
            inside.set()
            await finish.wait()

    holder = asyncio.create_task(operator())
    await inside.wait()
    vote = asyncio.create_task(hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "queued-1"))
    await until(lambda: lock.waiting > 0)
    assert not vote.done()
    finish.set()
    await holder
    ack = await asyncio.wait_for(vote, 30)
    assert ack.vote_id == "queued-1"
