"""`/readyz` while every commit of the vote writer fails (issue 13 item 7): 503 although the
database still answers `SELECT 1`, and 200 again once a commit succeeds. Real failures, not a
mocked writer: on SQLite the disk under the database fills up (a small tmpfs); on PostgreSQL a
deferred constraint trigger makes every COMMIT that stored a vote fail with SQLSTATE 53100
(disk_full), as PostgreSQL's own "could not extend file: No space left on device" does.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from server.app import create_app
from server.config import Settings
from server.db import Database
from server.errors import Unavailable
from server.live.hub import LiveHub
from server.rules import BallotAction, Choice
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import pass_of


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of its own: a disk this test can fill without touching anyone else's."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs to fill ({mounted.stderr.strip()}); the test needs root"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason + "; set CI=true to make this fatal")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; answer it (removing it frees the disk)."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


async def readyz(app: FastAPI) -> tuple[int, dict[str, str]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/readyz")
    return answer.status_code, answer.json()


async def vote(hub: LiveHub, ballot: int, vote_id: str, choice: Choice = Choice.FOR) -> None:
    await asyncio.wait_for(hub.vote(pass_of(hub, "GM0002"), ballot, choice, vote_id), 30)


async def ready_fails_and_recovers(
    app: FastAPI,
    ballot: int,
    *,
    break_it: Callable[[], Awaitable[None]],
    mend_it: Callable[[], Awaitable[None]],
) -> None:
    hub: LiveHub = app.state.live
    await vote(hub, ballot, "before")
    assert await readyz(app) == (200, {"status": "ready"})

    await break_it()
    with pytest.raises(Unavailable):
        await vote(hub, ballot, "during", Choice.AGAINST)
    status, body = await readyz(app)
    assert status == 503, body
    assert body["error"] == "not_ready"
    assert body["detail"].startswith("the vote writer cannot commit"), body
    with pytest.raises(Unavailable):  # still failing, still not ready
        await vote(hub, ballot, "during", Choice.AGAINST)
    assert (await readyz(app))[0] == 503

    await mend_it()
    await vote(hub, ballot, "during", Choice.AGAINST)  # the kiosk's resend now commits
    assert await readyz(app) == (200, {"status": "ready"})


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
async def test_readyz_is_503_while_a_full_disk_fails_every_commit_on_sqlite(
    database: Database, small_disk: Path
) -> None:
    path = small_disk / "votehall.db"
    shutil.copyfile(database.url.removeprefix("sqlite+aiosqlite:///"), path)
    on_disk = Database(f"sqlite+aiosqlite:///{path}")
    try:
        seeded, _ = await seed_hall(on_disk)
        ballot = seeded.ballot_ids[0]
        app = create_app(Settings(database_url=on_disk.url, env="development"), on_disk)
        async with app.router.lifespan_context(app):
            await _open(on_disk, app.state.live, ballot)
            filler: list[Path] = []

            async def break_it() -> None:
                # The WAL emptied first, so that the next commit must grow a file on the full disk.
                probe = sqlite3.connect(path)
                try:
                    assert probe.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
                finally:
                    probe.close()
                filler.append(await asyncio.to_thread(fill, small_disk))

            async def mend_it() -> None:
                filler.pop().unlink()

            await ready_fails_and_recovers(app, ballot, break_it=break_it, mend_it=mend_it)
    finally:
        await on_disk.dispose()


@pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)
async def test_readyz_is_503_while_every_commit_fails_on_postgresql(database: Database) -> None:
    seeded, _ = await seed_hall(database)
    ballot = seeded.ballot_ids[0]
    dsn = database.url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(dsn)
    app = create_app(Settings(database_url=database.url, env="development"), database)
    try:
        await admin.execute(
            """
            CREATE OR REPLACE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100';
            END $$;
            """
        )
        async with app.router.lifespan_context(app):
            await _open(database, app.state.live, ballot)

            async def break_it() -> None:
                await admin.execute(
                    "CREATE CONSTRAINT TRIGGER test_disk_full AFTER INSERT ON vote_events"
                    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_disk_full()"
                )

            async def mend_it() -> None:
                await admin.execute("DROP TRIGGER test_disk_full ON vote_events")

            await ready_fails_and_recovers(app, ballot, break_it=break_it, mend_it=mend_it)
    finally:
        await admin.execute("DROP TRIGGER IF EXISTS test_disk_full ON vote_events")
        await admin.execute("DROP FUNCTION IF EXISTS test_disk_full()")
        await admin.close()


async def _open(database: Database, hub: LiveHub, ballot: int) -> None:
    """Open the ballot as the chair's request does: commit, then tell the hub."""
    from server.audit import journal
    from server.ballots.lifecycle import act
    from server.live.events import take

    async with database.transaction() as session:
        await act(session, ballot, BallotAction.OPEN)
        events = take(session)
    await hub.after_commit(events, spans=journal.spans(session))
