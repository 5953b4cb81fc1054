"""Safeguards of the vote path that no test guarded (issue 13 item 10): removing one left the
whole suite green.

- The vote writer's re-check, inside its transaction, that the ballot is still open and the pass
  still active (writer._refusal). Memory can be behind the database: another server process (or
  the CLI) closed the ballot or ended the pass and this process has not heard yet (Redis slow or
  away). Here a second engine on the same database plays that process, and this hub is never
  told: its in-memory checks pass, and only the writer's re-check refuses the vote.
- SQLite's `synchronous=FULL` and WAL on every connection the server writes with (server.db).
  A SIGKILL keeps the operating system's page cache, so the crash tests pass without it; and
  this machine's SQLite defaults to FULL anyway. The test makes every new connection start from
  `synchronous=OFF` (as a build whose WAL default is NORMAL or OFF would), so only the server's
  own PRAGMA brings it to FULL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from server.ballots.lifecycle import act
from server.db import Database
from server.desk.service import end_pass
from server.errors import BallotNotOpen, NotEligible
from server.live.hub import LiveHub
from server.rules import BallotAction, Choice, PassStatus
from tests.live.conftest import seed_hall
from tests.live.hub.conftest import Live, pass_of, start_hubs

FULL = 2


async def test_a_ballot_closed_by_another_process_refuses_the_vote(live: Live) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    other = Database(live.database.url)  # another server process's engine
    try:
        async with other.transaction() as session:
            await act(session, ballot, BallotAction.CLOSE)
    finally:
        await other.dispose()
    assert hub.meeting is not None and hub.meeting.ballots[ballot].status == "open"  # not told
    with pytest.raises(BallotNotOpen):
        await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "after-close")
    async with live.database.transaction(readonly=True) as session:
        stored = await session.scalar(text("SELECT count(*) FROM vote_events WHERE vote_id = 'after-close'"))
    assert stored == 0


async def test_a_pass_ended_by_another_process_refuses_the_vote(live: Live) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    other = Database(live.database.url)
    try:
        async with other.transaction() as session:
            await end_pass(session, live.seeded.pass_ids["GM0002"], PassStatus.REVOKED)
    finally:
        await other.dispose()
    active = pass_of(hub, "GM0002")  # memory still holds the pass as active
    with pytest.raises(NotEligible):
        await hub.vote(active, ballot, Choice.FOR, "after-revoke")
    async with live.database.transaction(readonly=True) as session:
        stored = await session.scalar(text("SELECT count(*) FROM vote_events WHERE vote_id = 'after-revoke'"))
    assert stored == 0


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
async def test_every_sqlite_connection_the_server_writes_with_is_wal_and_synchronous_full(
    database: Database,
) -> None:
    seeded, _ = await seed_hall(database)
    server_db = Database(database.url)  # a fresh engine: its connections are all made below

    def loose(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    for engine in (server_db.engine, server_db.read_engine):
        event.listen(engine.sync_engine, "connect", loose, insert=True)  # runs before server.db's

    seen_by_writer: list[tuple[int, str]] = []

    @event.listens_for(server_db.engine.sync_engine, "after_cursor_execute")
    def _on_vote(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        # On the vote writer's own connection, inside its transaction, as it stores a vote.
        if statement.lstrip().upper().startswith("INSERT INTO VOTE_EVENTS"):
            raw = connection.connection.dbapi_connection.cursor()
            raw.execute("PRAGMA synchronous")
            synchronous = raw.fetchone()[0]
            raw.execute("PRAGMA journal_mode")
            seen_by_writer.append((synchronous, raw.fetchone()[0]))
            raw.close()

    hubs: list[LiveHub] = []
    try:
        ballot = seeded.ballot_ids[0]
        async with server_db.transaction() as session:
            await act(session, ballot, BallotAction.OPEN)
        hubs = await start_hubs([server_db])  # reads the open ballot as it starts
        hub = hubs[0]
        await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "durable")
        assert seen_by_writer == [(FULL, "wal")]
        for readonly in (False, True):
            async with server_db.transaction(readonly=readonly) as session:
                assert await session.scalar(text("PRAGMA synchronous")) == FULL, readonly
                assert await session.scalar(text("PRAGMA journal_mode")) == "wal", readonly
    finally:
        for hub in hubs:
            await hub.stop()
        await server_db.dispose()
