"""The in-memory read model must never drift from the database (DESIGN invariants 5, 6)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots.models import Vote
from server.errors import ChangeNotAllowed, VoteHallError
from server.live import repository
from server.live.state import Ack, LiveMeeting
from server.rules import BallotAction, Choice
from tests.live.hub.conftest import Live, pass_of


async def test_a_reload_while_the_writer_commits_keeps_the_committed_vote(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`LogSync.reload()` (run by after_commit when applying an event fails, and the recovery
    DESIGN prescribes for a process that missed messages) reads a snapshot, awaits, then
    replaces `hub.meeting` wholesale. A batch that commits in between is applied by the writer
    to the *old* LiveMeeting and vanishes: its weight is missing from the tally and the feed,
    and its ack from `meeting.acks` (so a resend then fails, see test_resend.py)."""
    hub = live.hub
    ballot = live.seeded.ballot_ids[0]
    await live.act(ballot, BallotAction.OPEN)

    loaded, release = asyncio.Event(), asyncio.Event()
    original = repository.load_followed_meeting

    async def load_then_wait(session: AsyncSession) -> LiveMeeting | None:
        meeting = await original(session)
        loaded.set()
        await release.wait()  # the reload's awaits: anything can commit meanwhile
        return meeting

    monkeypatch.setattr(repository, "load_followed_meeting", load_then_wait)
    reload = asyncio.create_task(hub.sync.reload())
    await loaded.wait()
    voter = pass_of(hub, "GM0002")
    ack = await hub.vote(voter, ballot, Choice.FOR, "v-1")  # committed and acknowledged
    release.set()
    await reload

    assert hub.meeting is not None
    tally = hub.meeting.ballots[ballot].tally
    assert (tally.for_, tally.members_voted) == (42, 1), f"acknowledged vote missing from {tally}"
    assert hub.meeting.acks.get((voter.member_id, "v-1")) == ack


async def test_a_no_change_ballot_refuses_a_change_through_another_process(two_processes: Live) -> None:
    """SPEC 2.4 / DESIGN "checks that matter are in the transaction": on a ballot without
    allow_change, whether the member already voted is checked only against this process's memory
    (hub.vote and writer._refusal), never in the transaction. A handheld that reconnects to
    another process (or any stale read model) changes its vote, and the upsert overwrites it."""
    live = two_processes
    a, b = live.hubs
    ballot = live.seeded.ballot_ids[1]  # "Motie zonder wijzigen": allow_change=False
    await live.act(ballot, BallotAction.OPEN)

    await a.vote(pass_of(a, "GM0002"), ballot, Choice.FOR, "a-1")
    try:
        second: Ack | VoteHallError = await b.vote(pass_of(b, "GM0002"), ballot, Choice.AGAINST, "b-1")
    except VoteHallError as error:
        second = error

    async with live.database.transaction(readonly=True) as session:
        stored = await session.scalar(select(Vote.choice).where(Vote.ballot_id == ballot))
    assert stored == "for", "the first vote on a no-change ballot was overwritten"
    assert isinstance(second, ChangeNotAllowed), second
