"""The feed version is the log position of the state it shows (README "Feed versions"): every
process names the same state alike, and a commit seen before an earlier one does not move it."""

from __future__ import annotations

import asyncio

import pytest

from server.audit.service import head_of
from server.live import hub as hub_module
from server.live.hub import VERSION_BASE
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def log_head(live: Live, meeting: int) -> int:
    async with live.database.transaction(readonly=True) as session:
        head = await head_of(session, meeting)
    return head[0] if head else 0


async def test_the_version_is_the_meetings_log_position(live: Live) -> None:
    hub = live.hub
    assert hub.meeting is not None
    meeting = hub.meeting.id
    assert hub.feed_version() == meeting * VERSION_BASE + await log_head(live, meeting)

    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)
    await hub.vote(pass_of(hub, "GM0002"), ballot, Choice.FOR, "v-1")
    await hub.vote(pass_of(hub, "GM0003"), ballot, Choice.AGAINST, "v-2")
    assert hub.feed_version() == meeting * VERSION_BASE + await log_head(live, meeting)
    hub.feed.refresh()
    assert hub.feed.frame().version == hub.feed_version()


async def test_a_commit_past_a_gap_waits_for_the_gap(live: Live) -> None:
    hub = live.hub
    assert hub.meeting is not None
    meeting, head = hub.meeting.id, hub.head
    hub.feed.refresh()
    before = hub.feed.version

    hub._advance({meeting: (head + 3, head + 4)})  # seqs head+1 and head+2 not seen yet
    assert hub.head == head
    hub.feed.refresh()
    assert hub.feed.version == before  # nothing new is published past a gap

    hub._advance({meeting: (head + 1, head + 2)})
    assert hub.head == head + 4
    hub._advance({meeting: (head + 1, head + 2)})  # seen twice (a resync, a repeat): no change
    hub._advance({meeting + 1: (1, 9)})  # another chain: not the feed's
    assert hub.head == head + 4
    hub.feed.refresh()
    assert hub.feed.version == before + 4


async def test_a_gap_that_never_fills_reloads_from_the_database(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = live.hub
    assert hub.meeting is not None
    monkeypatch.setattr(hub_module, "GAP_WAIT", 0.05)
    meeting, head = hub.meeting.id, hub.head
    hub._advance({meeting: (head + 5, head + 5)})  # a span the log does not (yet) have
    assert hub.head == head
    for _ in range(100):
        if hub._gap_task is not None and hub._gap_task.done():
            break
        await asyncio.sleep(0.02)
    # The reload took the position from the database, and forgot the span it never saw.
    assert hub.head == await log_head(live, meeting)
    assert hub._ahead == {}
