"""`/healthz` and `/readyz` against the ASGI app, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import httpx
import pytest
from fastapi import FastAPI

from server.app import create_app
from server.config import Settings
from server.db import Database
from server.ops.service import readiness_problem


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[FastAPI]:
    app = create_app(settings, database)
    async with app.router.lifespan_context(app):
        yield app


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://votehall.test")


async def test_healthz_answers_while_the_loop_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_when_the_hub_runs_and_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_readyz_is_503_once_shutdown_began(app: FastAPI) -> None:
    await app.state.live.stop()  # what the shutdown does first; the lifespan's stop is then a no-op
    async with client_of(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["error"] == "not_ready"
        assert "shutting down" in response.json()["detail"]
        assert (await client.get("/healthz")).status_code == 200


def unreachable_databases(tmp_path: Path) -> list[Database]:
    gone = tmp_path / "removed"
    gone.mkdir()
    gone.rmdir()
    return [
        Database("postgresql+asyncpg://postgres@127.0.0.1:1/votehall"),  # nothing listens on port 1
        Database(f"sqlite+aiosqlite:///{gone}/votehall.db"),  # a folder that is no more
    ]


async def test_readyz_is_503_when_the_database_is_unreachable(app: FastAPI, tmp_path: Path) -> None:
    working = app.state.database
    try:
        for database in unreachable_databases(tmp_path):
            app.state.database = database
            try:
                async with client_of(app) as client:
                    response = await client.get("/readyz")
                    alive = await client.get("/healthz")
            finally:
                await database.dispose()
            assert response.status_code == 503, (database.url, response.text)
            body = response.json()
            assert body["error"] == "not_ready"
            assert body["detail"].startswith("the database did not answer"), body
            assert database.url not in body["detail"] and "127.0.0.1" not in body["detail"]
            assert alive.status_code == 200
    finally:
        app.state.database = working
    async with client_of(app) as client:
        assert (await client.get("/readyz")).status_code == 200


class StuckDatabase:
    """Stands in for a Database whose connection never comes (a firewall that drops packets)."""

    @property
    def read_engine(self) -> StuckDatabase:
        return self

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[None]:
        await asyncio.sleep(60)
        yield


async def test_readiness_gives_up_after_its_time_limit(app: FastAPI) -> None:
    problem = await readiness_problem(cast(Database, StuckDatabase()), app.state.live, limit=0.05)
    assert problem == "the database did not answer within 0.05 s"
