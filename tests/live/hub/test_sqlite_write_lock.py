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

from server.app import create_app
from server.auth.roles import Role
from server.config import Settings
from server.db import Database
from server.desk import endpoints as desk_endpoints
from tests.live.conftest import seed_hall

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
