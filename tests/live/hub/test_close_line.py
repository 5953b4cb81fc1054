"""Invariant 3 on PostgreSQL under READ COMMITTED (verification, expected to pass): a close that
arrives while a writer batch is inside its transaction waits for the batch's FOR SHARE lock on
the ballot row, then recounts with a fresh statement snapshot and counts the batch's votes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.lifecycle import act
from server.live import writer as writer_module
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of

# SQLite serialises writers with BEGIN IMMEDIATE: the race this test stages cannot happen there.
pytestmark = pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)


async def test_a_close_during_a_batch_waits_for_it_and_counts_it(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)

    inside, resume = asyncio.Event(), asyncio.Event()
    original = writer_module._active_passes

    async def then_pause(session: AsyncSession, ids: set[int], *args: Any) -> Any:
        found = await original(session, ids, *args)  # the ballot row is share-locked by now
        inside.set()
        await resume.wait()
        return found

    monkeypatch.setattr(writer_module, "_active_passes", then_pause)
    vote = asyncio.create_task(hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "c-1"))
    await asyncio.wait_for(inside.wait(), 30)

    async def close(session: AsyncSession) -> Any:
        return await act(session, ballot, BallotAction.CLOSE)

    closing = asyncio.create_task(live.operate(close))
    query = text(
        "select count(*) from pg_stat_activity"
        " where datname = current_database() and wait_event_type = 'Lock'"
    )
    async with live.database.engine.connect() as probe:  # wait until the close waits on the lock
        for _ in range(3000):
            if await probe.scalar(query):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the close never waited for the batch's lock")
    resume.set()
    ack = await vote
    closed = await closing
    assert ack.vote_id == "c-1"
    assert (closed.for_weight, closed.members_voted) == (42, 1)
