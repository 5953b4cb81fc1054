"""An operator's request while the database does not answer gets 503 `unavailable` with the
usual error body, not a bare 500 (docs/DATABASE_OUTAGE.md)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from server.app import create_app
from server.config import Settings
from server.db import Database
from tests.live.conftest import seed_hall
from tests.servers import free_port

ADMIN = "a-long-enough-admin-token-for-the-test-0123456789"


async def test_an_operator_route_answers_503_while_the_database_is_away() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"  # nothing listens there
    database = Database(url)
    app = create_app(Settings(database_url=url, admin_token=ADMIN, env="development"), database)
    headers = {"Authorization": f"Bearer {ADMIN}"}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://votehall.test",
        ) as client:
            response = await client.get("/api/members", headers=headers)
            created = await client.post(
                "/api/meetings", headers=headers, json={"title": "x", "date": "2025-06-18"}
            )
    finally:
        await database.dispose()
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "unavailable"
    assert created.status_code == 503, created.text


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_a_connection_cut_mid_request_answers_503(database: Database) -> None:
    """The request's own connection dies while it waits (PostgreSQL restarted, a proxy cut it):
    SQLAlchemy raises a DBAPIError with the connection invalidated, and the answer is 503
    `unavailable`, not a bare 500. The token was not stored."""
    await seed_hall(database)  # the register import leaves chain 0 with a head row
    app = create_app(Settings(database_url=database.url, admin_token=ADMIN, env="development"), database)
    headers = {"Authorization": f"Bearer {ADMIN}"}
    blocker = await asyncpg.connect(_plain(database.url))
    try:
        # Hold the head of chain 0: creating a token logs on it, so the request waits there.
        transaction = blocker.transaction()
        await transaction.start()
        before = await blocker.fetchval("SELECT count(*) FROM operator_tokens")
        await blocker.execute("SELECT seq FROM log_heads WHERE chain = 0 FOR UPDATE")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://votehall.test",
        ) as client:
            request = asyncio.create_task(client.post("/api/tokens", headers=headers, json={"role": "desk"}))
            waiting = None
            for _ in range(250):
                waiting = await blocker.fetchval(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                if waiting is not None:
                    break
                await asyncio.sleep(0.02)
            assert waiting is not None, "the request never waited for the lock"
            await blocker.execute("SELECT pg_terminate_backend($1)", waiting)
            response = await request
        await transaction.rollback()
        after = await blocker.fetchval("SELECT count(*) FROM operator_tokens")
    finally:
        await blocker.close()
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "unavailable"
    assert after == before


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")
