"""Fixtures shared by the whole suite.

The database tests run once on SQLite and once on PostgreSQL: the `database_url` fixture is
parametrised over both. The schema is built with the real Alembic migrations once per backend;
each test then gets a clean database (a copy of the migrated SQLite file, or truncated tables).
PostgreSQL tests skip with a printed reason when no server answers, but never when `CI` is set.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from server.app import create_app
from server.auth.roles import Role
from server.auth.service import create_token
from server.config import Settings
from server.db import Database
from server.migrate import upgrade
from server.models import Base

POSTGRES_URL = os.environ.get(
    "VOTEHALL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _postgres_reachable(url: str) -> str | None:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await connection.close()
    return None


@pytest.fixture(scope="session", autouse=True)
def dumpable_test_process() -> Iterator[None]:
    """Hubs started inside the test process leave its core dumps allowed: forbidding them cannot
    be undone in a process, and tests/secret/test_hardening.py needs a process that may dump to
    show that `forbid_core_dumps` forbids it. A served process forbids them (test_sealed_votes)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("server.live.hub.forbid_core_dumps", lambda: None)
        yield


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database per backend: the SQLite template file path, or the PostgreSQL URL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "template.db"
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")
        return str(path)
    problem = await _postgres_reachable(POSTGRES_URL)
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and did not answer at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}); set CI=true to make this fatal")
    await asyncio.to_thread(upgrade, POSTGRES_URL)
    return POSTGRES_URL


TABLES = ", ".join(table.name for table in reversed(Base.metadata.sorted_tables))


@pytest.fixture
async def database(database_template: str, tmp_path: Path) -> AsyncIterator[Database]:
    if database_template.startswith("postgresql"):
        database = Database(database_template)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "votehall.db"
        shutil.copyfile(database_template, path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, env="development")


@pytest.fixture
async def client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://votehall.test") as client,
    ):
        yield client


@pytest.fixture
async def tokens(database: Database) -> dict[Role, str]:
    async with database.transaction() as session:
        return {role: await create_token(session, role, label=f"test {role}") for role in Role}
