"""An operator's request while the database does not answer gets 503 `unavailable` with the
usual error body, not a bare 500 (docs/DATABASE_OUTAGE.md)."""

from __future__ import annotations

import httpx

from server.app import create_app
from server.config import Settings
from server.db import Database
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
